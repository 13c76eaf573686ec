"""The strings the page scripts show, translated on the server and handed to them.

Scripts hold no text of their own: a page renders `strings_for_scripts()` into a JSON block
(`<script type="application/json" id="strings">`) and `static/js/strings.js` reads it. The
key is the English text, so a missing key still shows something readable.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Placeholders such as %(count)s are filled in by the script.
SCRIPT_STRINGS = {
    "%(count)s characters left": _l("%(count)s characters left"),
    "Dots: %(count)s": _l("Dots: %(count)s"),
    "%(count)s new, not shown yet": _l("%(count)s new, not shown yet"),
    "Notes: %(count)s": _l("Notes: %(count)s"),
    "+1 for someone here": _l("+1 for someone here"),
    "A drawing without a caption": _l("A drawing without a caption"),
    "A photo without a caption": _l("A photo without a caption"),
    "A picture": _l("A picture"),
    "Add a dot": _l("Add a dot"),
    "Connection lost. Reconnecting…": _l("Connection lost. Reconnecting…"),
    "Could not reach the server. Try again.": _l("Could not reach the server. Try again."),
    "Dots left: %(count)s of %(total)s": _l("Dots left: %(count)s of %(total)s"),
    "Draw something first.": _l("Draw something first."),
    "From paper": _l("From paper"),
    "Hidden notes: %(count)s": _l("Hidden notes: %(count)s"),
    "It was taken back.": _l("It was taken back."),
    "Live": _l("Live"),
    "Locked": _l("Locked"),
    "Move a dot here": _l("Move a dot here"),
    "New theme…": _l("New theme…"),
    "No connection right now. Wait a moment.": _l("No connection right now. Wait a moment."),
    "No connection right now. Your text is still here: try again in a moment.": _l("No connection right now. Your text is still here: try again in a moment."),
    "No theme": _l("No theme"),
    "Not on the wall yet.": _l("Not on the wall yet."),
    "Not shown yet": _l("Not shown yet"),
    "Open large": _l("Open large"),
    "Show %(count)s new notes": _l("Show %(count)s new notes"),
    "Show again": _l("Show again"),
    "Something went wrong. Your text is still here: try again.": _l("Something went wrong. Your text is still here: try again."),
    "Take a dot back": _l("Take a dot back"),
    "Take back": _l("Take back"),
    "Take or choose a photo first.": _l("Take or choose a photo first."),
    "Take this back? It disappears from the wall.": _l("Take this back? It disappears from the wall."),
    "Thank you! It is on the wall now.": _l("Thank you! It is on the wall now."),
    "Thank you! The facilitator will show it on the wall soon.": _l("Thank you! The facilitator will show it on the wall soon."),
    "The facilitator took this off the wall.": _l("The facilitator took this off the wall."),
    "The note was hidden. You can show it again from the hidden notes.": _l("The note was hidden. You can show it again from the hidden notes."),
    "Voting is closed": _l("Voting is closed"),
    "Voting is open": _l("Voting is open"),
    "Write something on the note first.": _l("Write something on the note first."),
    "Your dot is in.": _l("Your dot is in."),
    "Your dot was moved.": _l("Your dot was moved."),
    "Your dot was taken back.": _l("Your dot was taken back."),
    "Your dots here: %(count)s": _l("Your dots here: %(count)s"),
    # The facilitator's "Run the workshop" page (static/js/run.js).
    "All gatherings": _l("All gatherings"),
    "Answered: %(count)s": _l("Answered: %(count)s"),
    "Answers by gathering: %(phase)s": _l("Answers by gathering: %(phase)s"),
    "Answers: %(count)s · Average: %(average)s of 5": _l("Answers: %(count)s · Average: %(average)s of 5"),
    "Asked. Answers so far: %(count)s. The results are under Surveys.": _l("Asked. Answers so far: %(count)s. The results are under Surveys."),
    "Close the survey": _l("Close the survey"),
    "Closed": _l("Closed"),
    "Gathering %(number)s": _l("Gathering %(number)s"),
    "Go back to the previous phase?": _l("Go back to the previous phase?"),
    "Hide": _l("Hide"),
    "Move on to the next phase?": _l("Move on to the next phase?"),
    "No answers yet.": _l("No answers yet."),
    "No gathering": _l("No gathering"),
    "Nothing yet.": _l("Nothing yet."),
    "Open": _l("Open"),
    "Open the survey": _l("Open the survey"),
    "Remove this development idea?": _l("Remove this development idea?"),
    "Survey: %(title)s": _l("Survey: %(title)s"),
    "The description was saved.": _l("The description was saved."),
    "The gathering was ended.": _l("The gathering was ended."),
    "The gathering was started. It is the current one now.": _l("The gathering was started. It is the current one now."),
    "The idea was added.": _l("The idea was added."),
    "The idea was removed.": _l("The idea was removed."),
    "The log was saved.": _l("The log was saved."),
    "The phones are asked now about the phase: %(phase)s": _l("The phones are asked now about the phase: %(phase)s"),
    "The phones are not asked about any phase now.": _l("The phones are not asked about any phase now."),
    "The proposal was added.": _l("The proposal was added."),
    "The question was added.": _l("The question was added."),
    "The topic was confirmed.": _l("The topic was confirmed."),
    "The vote was started.": _l("The vote was started."),
    "Themes: %(names)s": _l("Themes: %(names)s"),
    "This is the current gathering now.": _l("This is the current gathering now."),
    "Updated at %(time)s.": _l("Updated at %(time)s."),
    "Vote: %(title)s": _l("Vote: %(title)s"),
    "Write how many took part as a number.": _l("Write how many took part as a number."),
}


def strings_for_scripts() -> dict[str, str]:
    """Every script string in the current language."""
    return {key: str(text) for key, text in SCRIPT_STRINGS.items()}
