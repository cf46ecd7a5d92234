"""Check the people and role rows: who is who (name, then phone), and roles that fit the studio or union."""

from __future__ import annotations

from storage.importer.existing import Existing
from storage.importer.layout import PEOPLE, ROLES
from storage.importer.plan import PersonRow, Plan, RoleRow, StudioRow, find_studio, find_union, header
from storage.importer.reader import Line, Problem
from storage.importer.values import Checker
from storage.models import STUDIO_ROLES, Person, RoleKind, Studio, UnionLevel, role_fits_union
from storage.names import PERSON_NAME_MAX
from storage.repos.leads import LeadTaken, displaced
from storage.vocabulary import LEVELS


def match_person(db: Existing, name: str, phone: str) -> tuple[Person | None, bool]:
    """The existing person a name (and phone) stands for, and whether that is ambiguous."""
    people = db.people.get(name, [])
    if phone:
        same = [p for p in people if p.phone == phone]
        if same:
            return same[0], len(same) > 1
        # One namesake recorded without a phone is taken to be this person; the phone is then filled in.
        if len(people) == 1 and not people[0].phone:
            return people[0], False
        return None, False
    return (people[0] if len(people) == 1 else None), len(people) > 1


def plan_people(plan: Plan, lines: list[Line], problems: list[Problem]) -> None:
    """Check the people rows: name, phone and grade valid, each person once, no ambiguous match."""
    first: dict[tuple[str, str], int] = {}
    for line in lines:
        c = Checker(line, problems)
        name = c.text("name", header(PEOPLE, "name"), required=True, limit=PERSON_NAME_MAX)
        phone = c.phone("phone", header(PEOPLE, "phone"))
        grade = c.grade("grade")
        enterprise = c.text("enterprise", header(PEOPLE, "enterprise"))
        if (name, phone) in first:
            c.fail("duplicate", name=name, first=first[(name, phone)])
        existing, ambiguous = match_person(plan.db, name, phone) if name else (None, False)
        if ambiguous:
            c.fail("ambiguous_person", name=name)
        if c.ok:
            first[(name, phone)] = line.row
            plan.people.append(PersonRow(line, name, phone, grade, enterprise, existing))


def _person_for_role(plan: Plan, c: Checker, name: str, phone: str) -> PersonRow | Person | None:
    in_file = [p for p in plan.people if p.name == name and (not phone or p.phone == phone)]
    if len(in_file) == 1:
        return in_file[0]
    if len(in_file) > 1:
        c.fail("ambiguous_person", name=name)
        return None
    existing, ambiguous = match_person(plan.db, name, phone)
    if ambiguous:
        c.fail("ambiguous_person", name=name)
    elif existing is None:
        c.fail("unknown_person", name=name, sheet=PEOPLE.name)
    return existing


def _identity(person: PersonRow | Person) -> int:
    """The same key for the same person, named in the file or found in the database."""
    if isinstance(person, Person):
        return person.id
    return person.existing.id if person.existing else -id(person)  # a person still to be created


def plan_roles(plan: Plan, lines: list[Line], problems: list[Problem]) -> None:
    """Check the role rows: a studio role names a studio, a union role a union, one lead per studio."""
    seen: set[tuple[int, RoleKind, str | None, str | None]] = set()
    leads: dict[str, int] = {}
    for line in lines:
        c = Checker(line, problems)
        name = c.text("name", header(ROLES, "name"), required=True, limit=PERSON_NAME_MAX)
        phone = c.phone("phone", header(ROLES, "phone"))
        kind = c.role("role")
        if kind is None and not line.text("role"):
            c.fail("required", column=header(ROLES, "role"))
        studio_name = c.text("studio", header(ROLES, "studio")) or None
        union_name = c.text("union", header(ROLES, "union")) or None
        person = _person_for_role(plan, c, name, phone) if name else None
        if kind is None or person is None:
            continue
        if kind in STUDIO_ROLES and (studio_name is None or union_name is not None):
            c.fail("role_needs_studio", role=line.text("role"))
        elif kind not in STUDIO_ROLES and (union_name is None or studio_name is not None):
            c.fail("role_needs_union", role=line.text("role"))
        elif studio_name and find_studio(plan, studio_name) is None:
            c.fail("unknown_studio", name=studio_name)
        elif union_name and (union := find_union(plan, union_name)) is None:
            c.fail("unknown_union", name=union_name)
        elif union_name and union is not None and not role_fits_union(kind, union.level):
            levels = "、".join(f"{LEVELS.zh(lv)}/{lv.value}" for lv in UnionLevel if role_fits_union(kind, lv))
            c.fail("role_wrong_union", role=line.text("role"), union=union_name, levels=levels)
        elif kind is RoleKind.LEAD and studio_name:
            _check_lead(plan, c, studio_name, person, leads)
        key = (_identity(person), kind, studio_name, union_name)
        if c.ok and key not in seen:
            seen.add(key)
            plan.roles.append(RoleRow(line, person, kind, studio_name, union_name))


def _check_lead(plan: Plan, c: Checker, studio_name: str, person: PersonRow | Person, leads: dict[str, int]) -> None:
    who = _identity(person)
    if leads.setdefault(studio_name, who) != who:
        c.fail("two_leads", studio=studio_name)
        return
    studio = find_studio(plan, studio_name)
    db_studio = studio.existing if isinstance(studio, StudioRow) else studio
    if isinstance(db_studio, Studio):
        try:  # the one rule of storage.repos.leads, over the leads the check loaded in one query
            displaced(studio=studio_name, current=plan.db.leads.get(db_studio.id, []), person_id=who, replace=False)
        except LeadTaken as taken:
            c.fail("studio_has_lead", studio=studio_name, lead=taken.leads[0])
