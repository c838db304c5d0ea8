"""``glutekit vocabulary``: the words exercises are described with."""

from __future__ import annotations

import click

from glutekit.catalog.vocabulary import CATEGORIES, Category, Term
from glutekit.cli.app import App, pass_app
from glutekit.cli.output import Column, print_json, print_table


def _detail(category: Category, term: Term) -> str:
    if category == "muscles":
        region = (term.region or "").replace("_", " ")
        return f"{region}, in {term.parent}" if term.parent else region
    if category == "positions":
        return term.posture or ""
    return term.description or ""


@click.command()
@click.argument("category", required=False, type=click.Choice(CATEGORIES))
@click.option("--json", "as_json", is_flag=True, help="Print the terms as JSON.")
@pass_app
def vocabulary(app: App, category: Category | None, as_json: bool) -> None:
    """List the muscles, equipment, positions, kinds and loads glutekit and the packs know.

    Each term with its label, its region and group (muscles), posture (positions) or
    description (kinds, and loads: what an exercise loads that a symptom can rule
    out), the synonyms the command line also accepts, and the pack that added it
    ('glutekit' for the built-in ones).
    """
    words = app.catalog.vocabulary
    categories = [category] if category else list(CATEGORIES)
    rows = [(c, t) for c in categories for t in words.terms[c].values()]
    if as_json:
        print_json([{"category": c, **t.as_dict()} for c, t in rows])
        return
    print_table(
        [
            Column(heading="Category", no_wrap=True),
            Column(heading="Term", no_wrap=True),
            "Label",
            "Region, posture or meaning",
            "Synonyms",
            Column(heading="From", no_wrap=True),
        ],
        [[c, t.id, t.label, _detail(c, t), ", ".join(t.synonyms), t.pack] for c, t in rows],
    )
