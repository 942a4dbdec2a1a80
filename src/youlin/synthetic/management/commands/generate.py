"""``youlin generate``: a synthetic city for scale tests and benchmarks (see ``youlin.synthetic``)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from youlin.synthetic.generate import DEFAULT_END, CitySpec, GenerateError, generate_city


class Command(BaseCommand):
    help = (
        "Generate a synthetic city: sub-districts, communities with grids, compounds and buildings, parties, "
        "people and cases over two years. Deterministic for a seed. Use a database of its own."
    )

    def add_arguments(self, parser):
        parser.add_argument("--subdistricts", type=int, required=True)
        parser.add_argument("--communities-per", type=int, required=True)
        parser.add_argument("--cases", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--grids-per", type=int, default=20, help="unit grids per community (default 20)")
        parser.add_argument("--compounds-per", type=int, default=8)
        parser.add_argument("--buildings-per", type=int, default=4, help="buildings per estate")
        parser.add_argument(
            "--end",
            type=date.fromisoformat,
            default=DEFAULT_END,
            help=f"cases end the day before (local date, default {DEFAULT_END})",
        )
        parser.add_argument("--district-code", default="", help="6 digits (default 99 + the seed)")

    def handle(self, *args, **o):
        spec = CitySpec(
            subdistricts=o["subdistricts"],
            communities_per=o["communities_per"],
            cases=o["cases"],
            seed=o["seed"],
            grids_per=o["grids_per"],
            compounds_per=o["compounds_per"],
            buildings_per=o["buildings_per"],
            end=o["end"],
            district_code=o["district_code"],
        )
        try:
            counts = generate_city(spec, progress=lambda m: self.stdout.write(m) if o["verbosity"] else None)
        except GenerateError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Generated district {spec.code}: {counts}"))
