"""Products become searchable through the platform's search (``marketplace.search``).

PostgreSQL gets ``search_vector`` with a GIN index; SQLite gets ``ProductToken`` rows
instead (the GIN index exists on PostgreSQL only). Existing products are analysed.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


class AddIndexOnPostgres(migrations.AddIndex):
    """A GIN index exists on PostgreSQL only; the model state has it everywhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def analyse_existing(apps, schema_editor):
    from cityexchange.core.text import LANGUAGES
    from cityexchange.marketplace.search import tokens_of

    Product = apps.get_model("marketplace", "Product")
    ProductToken = apps.get_model("marketplace", "ProductToken")
    postgres = schema_editor.connection.vendor == "postgresql"
    for product in Product.objects.select_related("shop", "category").iterator(chunk_size=500):
        category = product.category
        tokens = tokens_of(
            names={lang: getattr(product, f"name_{lang}") or "" for lang in LANGUAGES},
            descriptions={
                lang: getattr(product, f"description_{lang}") or "" for lang in LANGUAGES
            },
            others=[
                product.variant,
                product.shop.name,
                *(getattr(category, f"name_{lang}") or "" for lang in LANGUAGES if category),
            ],
        )
        Product.objects.filter(pk=product.pk).update(search_tokens=tokens)
        if not postgres:
            ProductToken.objects.bulk_create(
                ProductToken(product_id=product.pk, token=t[:100]) for t in tokens.split()
            )
    if postgres:
        from django.contrib.postgres.search import SearchVector

        Product.objects.update(search_vector=SearchVector("search_tokens", config="simple"))


class Migration(migrations.Migration):

    dependencies = [
        ('marketplace', '0002_listing_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='ProductToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.CharField(max_length=100)),
            ],
            options={
                'verbose_name': 'search token',
            },
        ),
        migrations.AddField(
            model_name='product',
            name='search_tokens',
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name='product',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(blank=True, editable=False, null=True),
        ),
        AddIndexOnPostgres(
            model_name='product',
            index=django.contrib.postgres.indexes.GinIndex(fields=['search_vector'], name='market_product_search'),
        ),
        migrations.AddField(
            model_name='producttoken',
            name='product',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tokens', to='marketplace.product'),
        ),
        migrations.AddConstraint(
            model_name='producttoken',
            constraint=models.UniqueConstraint(fields=('token', 'product'), name='market_token_unique'),
        ),
        migrations.RunPython(analyse_existing, migrations.RunPython.noop),
    ]
