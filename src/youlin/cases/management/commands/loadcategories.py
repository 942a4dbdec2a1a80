from django.core.management.base import BaseCommand

from youlin.cases.services import category_load, routing_rule_seed_defaults


class Command(BaseCommand):
    help = "Load (or refresh) the GB/T 47678.5 case categories, local extensions and default routing rules. Idempotent."

    def handle(self, *args, **options):
        categories = category_load()
        rules = routing_rule_seed_defaults()
        self.stdout.write(self.style.SUCCESS(f"Categories written: {categories}; routing rules added: {rules}."))
