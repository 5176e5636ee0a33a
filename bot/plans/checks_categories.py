"""The cross-checks of a plan's criteria (general and per category) and its categories,
consultations included. Split from :mod:`bot.plans.loader`."""

from __future__ import annotations

from bot.i18n import N_, _
from bot.plans.checks import CheckerCore
from bot.plans.fields import CRITERION_KINDS, KIND_KEYS
from bot.plans.problems import Loc, one_of
from bot.plans.schema import Category, Criterion


class CategoryChecks(CheckerCore):
    """[[criterion]], [[category]] and their own criteria."""

    def check_criteria(self) -> None:
        every: list[tuple[Loc, str]] = []
        for i, criterion in self.parts.criteria:
            loc: Loc = ("criterion", i)
            self.criterion(loc, criterion, None)
            every.append((loc, criterion.id))
        categories = dict(self.parts.categories)
        for i, own in self.parts.category_criteria.items():
            for j, criterion in own:
                loc = ("category", i, "criterion", j)
                self.criterion(loc, criterion, categories.get(i))
                every.append((loc, criterion.id))
        self.unique_ids(every, N_("criterion"))

    def criterion(self, loc: Loc, criterion: Criterion, category: Category | None) -> None:
        if criterion.subjects is not None:
            self.no_repeats((*loc, "subjects"), criterion.subjects, N_("subject"))
            if category is not None:
                self.allowed_subjects((*loc, "subjects"), criterion.subjects, category)
        kind = criterion.kind
        given = criterion.model_fields_set
        for other in CRITERION_KINDS:
            if other == kind:
                continue
            for key in KIND_KEYS[other]:
                if key in given:
                    self.add(
                        (*loc, key),
                        _("{key} is for {other} criteria, not {kind}").format(
                            key=repr(key), other=other, kind=kind
                        ),
                    )
        getattr(self, f"kind_{kind}")(loc, criterion)

    def kind_attest(self, loc: Loc, criterion: Criterion) -> None:
        """Nothing beyond the common keys."""

    def kind_evidence(self, loc: Loc, criterion: Criterion) -> None:
        """min_files is bounded by the schema."""

    def kind_number(self, loc: Loc, c: Criterion) -> None:
        if c.min is None and c.max is None:
            self.add((*loc, "min"), _("a number criterion needs min or max"))
        elif c.min is not None and c.max is not None and c.max < c.min:
            self.add(
                (*loc, "max"),
                _("max {max} is below min {min}").format(max=f"{c.max:g}", min=f"{c.min:g}"),
            )

    def kind_years(self, loc: Loc, c: Criterion) -> None:
        if c.years is None:
            self.add((*loc, "years"), _("a years criterion needs years (how many recent years)"))
        if c.title is None:
            self.add((*loc, "title"), _("a years criterion needs title (the title held each year)"))

    def kind_choice(self, loc: Loc, c: Criterion) -> None:
        if c.options is None:
            self.add((*loc, "options"), _("a choice criterion needs options (at least 2)"))
        else:
            if len(c.options) < 2:
                self.add((*loc, "options"), _("a choice criterion needs at least 2 options"))
            self.no_repeats((*loc, "options"), c.options, N_("option"))
        if c.accept is None:
            self.add(
                (*loc, "accept"), _("a choice criterion needs accept (the options that meet it)")
            )
            return
        if not c.accept:
            self.add((*loc, "accept"), _("needs at least 1 accepted option"))
        self.no_repeats((*loc, "accept"), c.accept, N_("option"))
        if c.options is not None:
            for j, answer in enumerate(c.accept):
                if answer not in c.options:
                    self.add(
                        (*loc, "accept", j),
                        _("{answer} is not one of the options").format(answer=repr(answer)),
                    )

    def kind_text(self, loc: Loc, c: Criterion) -> None:
        if c.text_max_length < c.text_min_length:
            self.add(
                (*loc, "max_length" if c.max_length is not None else "min_length"),
                _("max_length {max} is below min_length {min}").format(
                    max=c.text_max_length, min=c.text_min_length
                ),
            )

    # -- [[category]]

    def check_categories(self) -> None:
        general = [c for _, c in self.parts.criteria]
        for i, category in self.parts.categories:
            loc: Loc = ("category", i)
            self.no_repeats((*loc, "subjects"), category.subjects, N_("subject"))
            if category.lead is not None:
                self.unit_kind((*loc, "lead"), category.lead)
            for j, name in enumerate(category.consultees):
                self.unit_kind((*loc, "consultees", j), name)
            self.no_repeats((*loc, "consultees"), category.consultees, N_("consultee"))
            if category.consultees and category.consult_cite is None:
                self.add(
                    (*loc, "consult_cite"),
                    _("needed with consultees: where the document asks it"),
                )
            if not category.consultees and category.consult_cite is not None:
                self.add((*loc, "consult_cite"), _("given without consultees"))
            self.no_repeats((*loc, "consult_shows"), category.consult_shows, N_("part"))
            for key in ("consult_shows", "consult_remind_days", "objection_override"):
                if not category.consultees and key in category.model_fields_set:
                    self.add((*loc, key), _("given without consultees"))
            if category.consult_when is not None:
                self.consult_when((*loc, "consult_when"), i, category, general)
            if not self.parts.criteria_complete or i not in self.parts.complete_categories:
                continue
            for j, subject in enumerate(category.subjects):
                applying = [c for c in (*general, *category.criteria) if c.applies_to(subject)]
                if not applying:
                    self.add(
                        (*loc, "subjects", j),
                        _(
                            "no criterion applies to {subject} in this category "
                            "(add a category criterion or a general one for it)"
                        ).format(subject=repr(subject)),
                    )
        self.unique_ids(((("category", i), c.id) for i, c in self.parts.categories), N_("category"))

    def consult_when(
        self, loc: Loc, index: int, category: Category, general: list[Criterion]
    ) -> None:
        when = category.consult_when
        if when is None:
            return
        if not category.consultees:
            self.add(loc, _("given without consultees: it says when they are asked"))
        wanted = when.criterion
        found = next((c for c in (*general, *category.criteria) if c.id == wanted), None)
        if found is None:
            ids = self.parts.criterion_ids
            if wanted in ids.get(None, []) or wanted in ids.get(index, []):
                return  # written here but malformed: reported where it is written
            elsewhere = [i for i, own in ids.items() if i is not None and wanted in own]
            choices = [
                c.id
                for c in (*general, *category.criteria)
                if c.kind == "choice" and any(c.applies_to(sub) for sub in category.subjects)
            ]
            if elsewhere:
                message = _(
                    "criterion {id} belongs to category[{index}]; name a general "
                    "criterion or one of this category's own"
                ).format(id=repr(wanted), index=elsewhere[0])
            else:
                message = _(
                    "unknown criterion {id} (choice criteria that apply here: {choices})"
                ).format(id=repr(wanted), choices=one_of(choices) or _("none"))
            self.add((*loc, "criterion"), message)
            return
        if found.kind != "choice":
            self.add(
                (*loc, "criterion"),
                _("criterion {id} is of kind {kind}; consult_when needs a choice criterion").format(
                    id=repr(wanted), kind=found.kind
                ),
            )
            return
        if not any(found.applies_to(subject) for subject in category.subjects):
            self.add(
                (*loc, "criterion"),
                _("criterion {id} applies to none of this category's subjects ({subjects})").format(
                    id=repr(wanted), subjects=one_of(category.subjects)
                ),
            )
        self.no_repeats((*loc, "answers"), when.answers, N_("answer"))
        options = found.options or []
        for j, answer in enumerate(when.answers):
            if found.options is not None and answer not in options:
                self.add(
                    (*loc, "answers", j),
                    _("{answer} is not one of the options of {id} ({options})").format(
                        answer=repr(answer), id=repr(wanted), options=" / ".join(options)
                    ),
                )
