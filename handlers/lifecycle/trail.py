"""An audit row as a person reads it: who, what (named: the entry's title, the role's holder), from → to, why.

Used by 履历 in chat and by `studio-bot audit`, which hands in a Translator of its own locale.
"""

from __future__ import annotations

from handlers.core.i18n import Translator
from storage.models import AuditLog
from storage.repos.audit_names import Names, Subject

STATES = frozenset(
    {
        "submitted", "approved", "returned", "rejected", "withdrawn", "draft", "recommended", "reviewed",
        "evaluated", "public_notice", "named", "prospective", "applying", "not_retained", "open", "upheld",
        "dismissed", "commended", "retained", "scored", "bound", "restored", "active", "revoked", "created",
        "renamed", "moved", "updated", "inactive", "merged", "paused",
    }
)  # fmt: skip
ROLE_KINDS = frozenset({"lead", "member", "reviewer", "admin", "expert"})


def state(t: Translator, value: str, object_type: str = "") -> str:
    """A state as words (an unknown one as stored)."""
    if object_type == "objection" and value == "open":
        return t("lifecycle.history.state.raised")  # an objection is raised, not "opened"
    return t(f"lifecycle.history.state.{value}") if value in STATES else value


def subject_text(t: Translator, subject: Subject, version: int | None = None) -> str:
    """What a row is about, by name: 台账 #3「数控车工技能比武赛前集训」（第2版）, 王建国 的角色「工作室领衔人」…"""
    kind, number = subject["type"], subject["id"]
    if kind == "entry" and "title" in subject:
        text = t("lifecycle.history.subject.entry", id=number, title=subject["title"])
    elif kind == "role" and subject.get("kind") in ROLE_KINDS:
        role = t(f"binding.role.{subject['kind']}")
        place = subject.get("studio") or subject.get("union") or "-"
        text = t("lifecycle.history.subject.role", person=subject.get("person") or "-", role=role, place=place)
    elif kind == "identity" and "channel" in subject:
        text = t("lifecycle.history.subject.identity", person=subject.get("person") or "-", channel=subject["channel"])
    elif kind == "application" and "year" in subject:
        text = t("lifecycle.history.subject.application", id=number, year=subject["year"])
    elif kind == "cycle" and "number" in subject:
        text = t("lifecycle.history.subject.cycle", number=subject["number"])
    elif kind == "delegation" and "reviewer_id" in subject:
        text = t(
            "lifecycle.history.subject.delegation",
            reviewer=subject.get("reviewer") or "-",
            delegate=subject.get("delegate") or "-",
        )
    elif kind in ("person", "studio", "union") and "name" in subject:
        text = t(f"lifecycle.history.subject.{kind}", id=number, name=subject["name"])
    elif kind in ("window", "batch"):  # the year's application window; a batch named at once (id: the year)
        text = t(f"batch.history.{kind}", year=number)
    elif kind in ("objection", "expert_score"):
        text = t(f"lifecycle.history.object.{kind}") + f" #{number}"
    else:
        text = f"{kind} #{number}"
    return text + (t("lifecycle.history.version", version=version) if (version or 0) > 1 else "")


def moved(t: Translator, row: AuditLog) -> str:
    """from → to, in words."""
    to = state(t, row.to_state, row.object_type)
    return f"{state(t, row.from_state, row.object_type)} → {to}" if row.from_state else to


def actor(t: Translator, row: AuditLog, names: Names, *, hide_objectors: bool = False) -> str:
    """Who made the change: a person's name, the system (a CLI change without --by), or the undisclosed objector."""
    if hide_objectors and row.object_type == "objection" and row.from_state is None:
        return t("lifecycle.history.objector")  # who objected stays with the association, not the studio
    if row.actor_id is None:
        return t("lifecycle.history.system")
    return names.people.get(row.actor_id, f"#{row.actor_id}")
