"""An audit row as a person reads it: who, what (named: the entry's title, the role's holder), from → to, why.

Used by 履历 in chat and by `studio-bot audit`, which hands in a Translator of its own locale.
"""

from __future__ import annotations

from handlers.core.i18n import Translator
from handlers.reviews.revisions import CHANGED, changed_names
from storage.models import AuditLog, LedgerKind
from storage.repos.audit_names import Names, Subject

STATES = frozenset(
    {
        "submitted", "approved", "returned", "rejected", "withdrawn", "draft", "recommended", "reviewed",
        "evaluated", "public_notice", "named", "prospective", "applying", "not_retained", "open", "upheld",
        "dismissed", "commended", "retained", "scored", "bound", "restored", "active", "revoked", "created",
        "renamed", "moved", "updated", "inactive", "merged", "paused",
        "admitted",
        "downloaded", "web_signed_in", "web_signed_out",
    }
)  # fmt: skip
EXPERT_OBJECTS = frozenset({"expert_score", "cycle_score"})
ROLE_KINDS = frozenset({"lead", "member", "reviewer", "admin", "expert"})


def state(t: Translator, value: str, object_type: str = "") -> str:
    """A state as words (an unknown one as stored)."""
    if object_type == "objection" and value == "open":
        return t("lifecycle.history.state.raised")  # an objection is raised, not "opened"
    if object_type == "application" and value == "rejected":
        return t("application.stage.rejected")  # an entry is 驳回; an application is not passed
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
    elif kind in ("objection", "expert_score", "cycle_score"):
        text = t(f"lifecycle.history.object.{kind}") + f" #{number}"
    else:
        text = f"{kind} #{number}"
    return text + (t("lifecycle.history.version", version=version) if (version or 0) > 1 else "")


def moved(t: Translator, row: AuditLog) -> str:
    """from → to, in words."""
    to = state(t, row.to_state, row.object_type)
    return f"{state(t, row.from_state, row.object_type)} → {to}" if row.from_state else to


def actor(t: Translator, row: AuditLog, names: Names, *, hide_objectors: bool = False) -> str:
    """Who made the change: a person's name, the system (a CLI change without --by), or the undisclosed objector.

    `hide_objectors`: the studio's own reading, which names neither its objectors nor its experts.
    """
    if hide_objectors and row.object_type == "objection" and row.from_state is None:
        return t("lifecycle.history.objector")  # who objected stays with the association, not the studio
    if hide_objectors and row.object_type in EXPERT_OBJECTS:
        return t("lifecycle.history.expert")  # the review is blind both ways: the studio never learns who scored
    if row.actor_id is None:
        return t("lifecycle.history.system")
    return names.people.get(row.actor_id, f"#{row.actor_id}")


def changed(t: Translator, row: AuditLog, subject: Subject) -> str:
    """Which fields a submitted edit changed, in words: （改动：日期、成效）; empty for any other row."""
    keys = (row.detail or {}).get(CHANGED)
    kind = subject.get("kind")
    if row.object_type != "entry" or not isinstance(keys, list) or kind not in {k.value for k in LedgerKind}:
        return ""
    if not keys:
        return t("lifecycle.history.unchanged")
    return t("lifecycle.history.changed", fields=changed_names(t, LedgerKind(kind), keys))
