"""The names of the professional's-form choices in the current language (issue 7).

One place for the words of every enum the form, the inbox, the tracking page and the
summaries show, so a choice is called the same everywhere. Each function returns
(value, name) pairs in the form's order; `label(pairs, value)` finds one name.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import ForwardedTo, ObservationStatus, ObservedHow, ProfessionalGroup, Role, SupportNeed
from .street import category_labels, nature_labels

__all__ = ["category_labels", "forwarded_labels", "label", "nature_labels", "observed_how_labels",
           "professional_group_labels", "role_labels", "status_labels", "support_need_labels"]


def label(pairs: list[tuple[str, str]], value) -> str:
    """The name of `value` (an enum member or its value) among `pairs`; "" for None."""
    if value is None:
        return ""
    key = getattr(value, "value", value)
    return dict(pairs).get(key, str(key))


def professional_group_labels() -> list[tuple[str, str]]:
    """The reporter's professional groups (seed 002)."""
    names = {ProfessionalGroup.SOCIAL_CARE: _l("Social care professional"),
             ProfessionalGroup.HEALTH_CARE: _l("Health care professional"),
             ProfessionalGroup.OTHER: _l("Other")}
    return [(member.value, str(names[member])) for member in ProfessionalGroup]


def observed_how_labels() -> list[tuple[str, str]]:
    """How the reporter observed the phenomenon (seed 003)."""
    names = {ObservedHow.OWN_WORK: _l("In my own work"),
             ObservedHow.TEAM_MEETING: _l("In a discussion in my team or work community"),
             ObservedHow.NETWORK: _l("In a multi-professional network"),
             ObservedHow.OUTSIDE_WORK: _l("Outside work, in my own living environment"),
             ObservedHow.OTHER_ROLE: _l("In another role or connection")}
    return [(member.value, str(names[member])) for member in ObservedHow]


def status_labels() -> list[tuple[str, str]]:
    """A report's statuses, from received to closed."""
    names = {ObservationStatus.RECEIVED: _l("Received"),
             ObservationStatus.CONSIDERING: _l("Under consideration"),
             ObservationStatus.FORWARDED: _l("Forwarded"),
             ObservationStatus.ACTION_DECIDED: _l("Action decided"),
             ObservationStatus.DONE: _l("Done"),
             ObservationStatus.CLOSED: _l("Closed")}
    return [(member.value, str(names[member])) for member in ObservationStatus]


def forwarded_labels() -> list[tuple[str, str]]:
    """Where a report can be forwarded (seed 002)."""
    names = {ForwardedTo.UNIT: _l("Inside the unit"),
             ForwardedTo.CROSS_SECTOR: _l("A cross-sector group"),
             ForwardedTo.NATIONAL: _l("A national body"),
             ForwardedTo.LAW_CHANGE: _l("A proposal to change the law")}
    return [(member.value, str(names[member])) for member in ForwardedTo]


def support_need_labels() -> list[tuple[str, str]]:
    """The ten kinds of support need of section 11 of the Social Welfare Act, numbered as there."""
    names = {SupportNeed.CARE_AND_LIVELIHOOD: _l("1. Necessary care and livelihood"),
             SupportNeed.HOUSING: _l("2. Housing"),
             SupportNeed.FINANCIAL: _l("3. Financial support"),
             SupportNeed.EXCLUSION: _l("4. Preventing social exclusion and promoting inclusion"),
             SupportNeed.VIOLENCE: _l("5. Domestic violence, other violence or abuse"),
             SupportNeed.CRISIS: _l("6. Sudden crises"),
             SupportNeed.CHILD_DEVELOPMENT: _l("7. A child's balanced development and wellbeing"),
             SupportNeed.SUBSTANCES_MENTAL_HEALTH: _l("8. Substance abuse, mental health problems, other illness "
                                                      "or disability"),
             SupportNeed.AGEING: _l("9. Ageing"),
             SupportNeed.FUNCTIONAL_CAPACITY: _l("10. Physical, cognitive, mental or social functional capacity")}
    return [(member.value, str(names[member])) for member in SupportNeed]


def role_labels() -> list[tuple[str, str]]:
    """Every staff role, as the admin's account list and the tracking page name them."""
    names = {Role.FACILITATOR: _l("Facilitator"), Role.WORKER: _l("Outreach worker"),
             Role.HANDLER: _l("Supervisor"), Role.DIRECTOR: _l("Director"),
             Role.WORKING_GROUP: _l("Working group member"), Role.ADMIN: _l("Administrator")}
    return [(member.value, str(names[member])) for member in Role]
