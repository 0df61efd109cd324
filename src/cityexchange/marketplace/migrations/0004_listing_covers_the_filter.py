"""PostgreSQL: the listing index (and each language's copy) also holds the shop and
availability, so a page's ids come from the index alone (an index-only scan).

SQLite has no such indexes (``INCLUDE``), so this runs on PostgreSQL only and the
model state keeps the plain index.
"""

from django.db import migrations


class RunSQLOnPostgres(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


FORWARDS = ['DROP INDEX IF EXISTS "market_product_listing"', 'CREATE INDEX "market_product_listing" ON "marketplace_product" ("name", "variant", "id") INCLUDE ("shop_id", "is_available")', 'DROP INDEX IF EXISTS "market_product_listing-de"', 'CREATE INDEX "market_product_listing-de" ON "marketplace_product" ("name_de", "variant", "id") INCLUDE ("shop_id", "is_available")', 'DROP INDEX IF EXISTS "market_product_listing-en"', 'CREATE INDEX "market_product_listing-en" ON "marketplace_product" ("name_en", "variant", "id") INCLUDE ("shop_id", "is_available")', 'DROP INDEX IF EXISTS "market_product_listing-es"', 'CREATE INDEX "market_product_listing-es" ON "marketplace_product" ("name_es", "variant", "id") INCLUDE ("shop_id", "is_available")', 'DROP INDEX IF EXISTS "market_product_listing-pt"', 'CREATE INDEX "market_product_listing-pt" ON "marketplace_product" ("name_pt", "variant", "id") INCLUDE ("shop_id", "is_available")']

BACKWARDS = ['DROP INDEX IF EXISTS "market_product_listing"', 'CREATE INDEX "market_product_listing" ON "marketplace_product" ("name", "variant", "id")', 'DROP INDEX IF EXISTS "market_product_listing-de"', 'CREATE INDEX "market_product_listing-de" ON "marketplace_product" ("name_de", "variant", "id")', 'DROP INDEX IF EXISTS "market_product_listing-en"', 'CREATE INDEX "market_product_listing-en" ON "marketplace_product" ("name_en", "variant", "id")', 'DROP INDEX IF EXISTS "market_product_listing-es"', 'CREATE INDEX "market_product_listing-es" ON "marketplace_product" ("name_es", "variant", "id")', 'DROP INDEX IF EXISTS "market_product_listing-pt"', 'CREATE INDEX "market_product_listing-pt" ON "marketplace_product" ("name_pt", "variant", "id")']


class Migration(migrations.Migration):

    dependencies = [
        ("marketplace", "0003_product_search"),
    ]

    operations = [RunSQLOnPostgres(FORWARDS, BACKWARDS)]
