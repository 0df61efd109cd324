"""The listing index also holds the shop and availability: a page's ids come from it alone."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('marketplace', '0003_product_search'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='product',
            name='market_product_listing',
        ),
        migrations.RemoveIndex(
            model_name='product',
            name='market_product_listing-de',
        ),
        migrations.RemoveIndex(
            model_name='product',
            name='market_product_listing-en',
        ),
        migrations.RemoveIndex(
            model_name='product',
            name='market_product_listing-es',
        ),
        migrations.RemoveIndex(
            model_name='product',
            name='market_product_listing-pt',
        ),
        migrations.AddIndex(
            model_name='product',
            index=models.Index(fields=['name', 'variant', 'id'], include=('shop', 'is_available'), name='market_product_listing'),
        ),
        migrations.AddIndex(
            model_name='product',
            index=models.Index(fields=['name_de', 'variant', 'id'], include=('shop', 'is_available'), name='market_product_listing-de'),
        ),
        migrations.AddIndex(
            model_name='product',
            index=models.Index(fields=['name_en', 'variant', 'id'], include=('shop', 'is_available'), name='market_product_listing-en'),
        ),
        migrations.AddIndex(
            model_name='product',
            index=models.Index(fields=['name_es', 'variant', 'id'], include=('shop', 'is_available'), name='market_product_listing-es'),
        ),
        migrations.AddIndex(
            model_name='product',
            index=models.Index(fields=['name_pt', 'variant', 'id'], include=('shop', 'is_available'), name='market_product_listing-pt'),
        ),
    ]
