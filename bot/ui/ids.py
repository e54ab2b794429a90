"""Callback, action and block ids: named once, used by the builders and the listeners."""

OPEN_CALLBACK = "leak_open"  # the new-incident modal
STEP_CALLBACK = "leak_step"  # a checklist question's modal

ANSWER_ACTION = "leak_answer"  # button: open a step's modal
CLOSE_CONFIRM_ACTION = "leak_close_confirm"
CLOSE_CANCEL_ACTION = "leak_close_cancel"
CONFIRM_DRAFT_ACTION = "leak_confirm_draft"  # post a version whose maximum count grew
OWNER_ACTION = "leak_owner"  # user picker: give items an owner
SNOOZE_ACTION = "leak_snooze"  # button on a nudge: hold the nudges for a while

INPUT_ACTION = "value"  # action_id of every input element; the block_id names the item

HOME_ANSWER_ACTION = "leak_home_answer"  # button on the App Home: open an incident's next question
HOME_PAGE_ACTION = "leak_home_page"  # buttons on the App Home: another page of open incidents

TIMELINE_ADD_ACTION = "leak_timeline_add"  # button under /leak-timeline's list: open the modal to add a dated entry
TIMELINE_CALLBACK = "leak_timeline_entry"  # that modal
TIMELINE_AT_BLOCK = "timeline_at"  # its date and time
TIMELINE_TEXT_BLOCK = "timeline_text"  # its text
