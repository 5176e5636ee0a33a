"""A plan as readable plain text, for ``plans show ID`` and for officials in the chat.

Officials check a loaded plan against the paper document, so the summary keeps the document's
own wording and citations and spells out each rule (who owes what by when, what counts as met)
instead of echoing the TOML. Labels are translated; plan content stays in Vietnamese unless the
plan gives an English companion and the reader chose English.
"""

from __future__ import annotations

from bot.i18n import N_, _, format_date, format_number, ngettext, use_locale
from bot.plans.schema import Category, Criterion, Deadline, Plan, Quota

#: Readable names of subject kinds (msgids).
SUBJECT_LABELS: dict[str, str] = {
    "individual": N_("individual"),
    "household": N_("household"),
    "collective": N_("collective"),
}

#: Readable names of unit kinds (msgids); see bot/workflow/kinds.py for the vocabulary.
UNIT_KIND_LABELS: dict[str, str] = {
    "province": N_("province"),
    "district": N_("district"),
    "town": N_("town"),
    "city": N_("city"),
    "commune": N_("commune"),
    "ward": N_("ward"),
    "township": N_("township"),
    "village": N_("village"),
    "party_committee": N_("Party committee"),
    "propaganda_board": N_("Propaganda Board"),
    "people_committee": N_("People's Committee"),
    "agency": N_("agency"),
    "office": N_("office–statistics staff"),
    "home_affairs_office": N_("Home Affairs office"),
    "ethnic_office": N_("Ethnic Affairs office"),
    "culture_office": N_("Culture and Information office"),
    "education_office": N_("Education and Training office"),
    "health_office": N_("Health office"),
    "agriculture_office": N_("Agriculture office"),
    "labour_office": N_("Labour, Invalids and Social Affairs office"),
    "justice_office": N_("Justice office"),
    "police": N_("police"),
    "military": N_("military command"),
    "health_station": N_("health station"),
    "school": N_("school"),
    "fatherland_front": N_("Fatherland Front"),
    "farmers_association": N_("Farmers' Association"),
    "youth_union": N_("Youth Union"),
    "womens_union": N_("Women's Union"),
    "veterans_association": N_("Veterans' Association"),
    "elderly_association": N_("Elderly Association"),
    "red_cross": N_("Red Cross"),
    "labour_union": N_("Trade Union"),
    "cooperative": N_("cooperative"),
    "enterprise": N_("enterprise"),
}

#: What each deadline stage closes (msgids).
STAGE_LABELS: dict[str, str] = {
    "register": N_("registration"),
    "propose": N_("proposals"),
    "review": N_("review"),
    "report": N_("report"),
    "honour": N_("honouring"),
}

_BULLET = "•"


def subject_label(subject: str) -> str:
    return _(SUBJECT_LABELS[subject]) if subject in SUBJECT_LABELS else subject


def unit_kind_label(kind: str) -> str:
    return _(UNIT_KIND_LABELS[kind]) if kind in UNIT_KIND_LABELS else kind


def render_plan_summary(plan: Plan, locale: str) -> str:
    """The whole plan, one fact per line, in ``locale``."""
    with use_locale(locale):
        lines = [*_header(plan, locale)]
        if plan.deadlines:
            lines += ["", _("Deadlines:")]
            for deadline in plan.deadlines:
                lines += _deadline(deadline)
        if plan.quotas:
            lines += ["", _("Quotas:")]
            for quota in plan.quotas:
                lines += _quota(plan, quota, locale)
        if plan.criteria:
            lines += ["", _("General criteria (every category):")]
            for criterion in plan.criteria:
                lines += _criterion(criterion, locale, "  ")
        lines += ["", _("Categories:")]
        for number, category in enumerate(plan.categories, start=1):
            lines += _category(plan, number, category, locale)
        return "\n".join(lines)


def _cite(cite: str | None) -> str:
    return f" [{cite}]" if cite else ""


def _subjects(subjects: list[str]) -> str:
    return ", ".join(subject_label(s) for s in subjects)


def _header(plan: Plan, locale: str) -> list[str]:
    info = plan.plan
    period = info.period
    lines = [
        info.title_for(locale),
        _("Plan id: {id}").format(id=info.id),
        _("Document: {document}, {issuer}").format(document=info.document, issuer=info.issuer),
        _("Issued on: {date}").format(date=format_date(info.issued_on)),
    ]
    if info.effective_on is not None:
        lines.append(_("In force from: {date}").format(date=format_date(info.effective_on)))
    if period.end is None:
        lines.append(_("Period: from {start}, no end date").format(start=format_date(period.start)))
    else:
        lines.append(
            _("Period: {start} – {end}").format(
                start=format_date(period.start), end=format_date(period.end)
            )
        )
    steps = []
    for kind in info.review_chain:
        body = info.review_bodies.get(kind)
        steps.append(f"{unit_kind_label(kind)} ({body})" if body else unit_kind_label(kind))
    lines.append(_("Review chain: {steps}").format(steps=" → ".join(steps)) + _cite(info.cite))
    if info.honour_every_years is not None:
        years = info.honour_every_years
        honour = ngettext("Honoured every year", "Honoured every {years} years", years)
        lines.append(honour.format(years=years))
    lines.append(_("Source: {source}").format(source=info.source))
    return lines


def _deadline(deadline: Deadline) -> list[str]:
    if deadline.date is not None:
        when = format_date(deadline.date)
    else:
        month, day = (deadline.yearly or "").split("-")
        when = _("every year on {day}").format(day=f"{day}/{month}")
    who = ", ".join(unit_kind_label(kind) for kind in deadline.owed_by_kinds)
    details = _("owed by {who}; closes {stage}").format(
        who=who, stage=_(STAGE_LABELS[deadline.stage])
    )
    return [f"  {_BULLET} {when}: {deadline.title}", f"    {details}{_cite(deadline.cite)}"]


def _quota(plan: Plan, quota: Quota, locale: str) -> list[str]:
    if quota.level is None:
        scope = [_("each {kind}").format(kind=unit_kind_label(quota.unit_kind))]
    else:
        scope = [
            _("each {kind} at {level} level").format(
                kind=unit_kind_label(quota.unit_kind), level=unit_kind_label(quota.level)
            )
        ]
    if quota.category is not None:
        try:
            title = plan.category(quota.category).title_for(locale)
        except KeyError:
            title = quota.category
        scope.append(_("in “{category}”").format(category=title))
    if quota.subjects:
        scope.append(_subjects(quota.subjects))
    if quota.max is None:
        amount = _("at least {min}").format(min=quota.min)
    elif quota.max == quota.min:
        amount = _("exactly {min}").format(min=quota.min)
    else:
        amount = _("{min} to {max}").format(min=quota.min, max=quota.max)
    per = _("per year") if quota.per == "year" else _("over the plan")
    lines = [f"  {_BULLET} {', '.join(scope)}: {amount} {per}{_cite(quota.cite)}"]
    if quota.note:
        lines.append(f"    {quota.note}")
    return lines


def _number(value: float) -> str:
    return format_number(int(value) if value == int(value) else value)


def _rule(criterion: Criterion) -> str:
    """How the criterion is met, in words."""
    c = criterion
    match c.kind:
        case "attest":
            return _("confirmed yes/no")
        case "evidence":
            count = c.min_files_required
            files = ngettext(
                "confirmed with at least {count} file",
                "confirmed with at least {count} files",
                count,
            )
            return files.format(count=count)
        case "number":
            unit = "" if not c.unit else c.unit if c.unit.startswith("%") else f" {c.unit}"
            if c.min is not None and c.max is not None:
                rule = _("from {min} to {max}").format(min=_number(c.min), max=_number(c.max))
            elif c.min is not None:
                rule = _("at least {min}").format(min=_number(c.min))
            else:
                rule = _("at most {max}").format(max=_number(c.max or 0))
            return rule + unit
        case "years":
            return _("“{title}” in each of the last {years} years").format(
                title=c.title or "", years=c.years or 0
            )
        case "choice":
            return _("one of: {options}; met by: {accept}").format(
                options=" / ".join(c.options or []), accept=" / ".join(c.accept or [])
            )
        case _:
            return _("free text, {min} to {max} characters").format(
                min=c.text_min_length, max=c.text_max_length
            )


def _criterion(criterion: Criterion, locale: str, indent: str) -> list[str]:
    facts = [_rule(criterion)]
    if criterion.subjects:
        facts.append(_("only for: {subjects}").format(subjects=_subjects(criterion.subjects)))
    if not criterion.required:
        facts.append(_("optional"))
    return [
        f"{indent}{_BULLET} {criterion.text_for(locale)}",
        f"{indent}  {'; '.join(facts)}{_cite(criterion.cite)}",
    ]


def _consult_when(plan: Plan, category: Category, locale: str) -> str | None:
    when = category.consult_when
    if when is None:
        return None
    try:
        question = plan.criterion(when.criterion).text_for(locale)
    except KeyError:
        question = when.criterion
    return _("only when the answer to “{criterion}” is: {answers}").format(
        criterion=question, answers=" / ".join(when.answers)
    )


def _category(plan: Plan, number: int, category: Category, locale: str) -> list[str]:
    lines = [f"  {number}. {category.title_for(locale)}{_cite(category.cite)}"]
    pad = "     "
    lines.append(pad + _("Subjects: {subjects}").format(subjects=_subjects(category.subjects)))
    if category.field:
        lines.append(pad + _("Field: {field}").format(field=category.field))
    if category.lead:
        lines.append(pad + _("Led by: {body}").format(body=unit_kind_label(category.lead)))
    if category.consultees:
        bodies = ", ".join(unit_kind_label(k) for k in category.consultees)
        lines.append(
            pad + _("Must consult: {bodies}").format(bodies=bodies) + _cite(category.consult_cite)
        )
        condition = _consult_when(plan, category, locale)
        if condition is not None:
            lines.append(pad + "  " + condition)
        if category.objection_override:
            lines.append(pad + "  " + _("a reviewer may pass over an objection, with a reason"))
    if category.criteria:
        lines.append(pad + _("Criteria:"))
        for criterion in category.criteria:
            lines += _criterion(criterion, locale, pad)
    return lines
