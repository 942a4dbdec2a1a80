"""Every database gets the GB/T 47678.5 categories, the local extensions and the district routing defaults."""

from django.db import migrations


def load(apps, schema_editor):
    from youlin.cases.categories import upsert_categories
    from youlin.cases.services import seed_routing_rules

    Category = apps.get_model("cases", "Category")
    RoutingRule = apps.get_model("cases", "RoutingRule")
    upsert_categories(Category)
    seed_routing_rules(RoutingRule, Category)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
