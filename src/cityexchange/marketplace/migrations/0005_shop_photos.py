"""Shop photos, and the sizes of product photos (for pages that reserve their space)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('marketplace', '0004_listing_covers_the_filter'),
    ]

    operations = [
        migrations.AddField(
            model_name='product',
            name='photo_height',
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='product',
            name='photo_width',
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name='product',
            name='photo',
            field=models.ImageField(blank=True, height_field='photo_height', upload_to='market/products/', verbose_name='photo', width_field='photo_width'),
        ),
        migrations.CreateModel(
            name='ShopPhoto',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('image', models.ImageField(height_field='height', upload_to='market/shops/', verbose_name='photo', width_field='width')),
                ('width', models.PositiveIntegerField(default=0, editable=False)),
                ('height', models.PositiveIntegerField(default=0, editable=False)),
                ('thumbnail', models.ImageField(height_field='thumb_height', upload_to='market/shops/', width_field='thumb_width')),
                ('thumb_width', models.PositiveIntegerField(default=0, editable=False)),
                ('thumb_height', models.PositiveIntegerField(default=0, editable=False)),
                ('alt', models.CharField(help_text="For people who cannot see it, in the shop's language.", max_length=200, verbose_name='what the photo shows')),
                ('position', models.PositiveSmallIntegerField(default=0)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('shop', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='photos', to='marketplace.shop')),
            ],
            options={
                'verbose_name': 'shop photo',
                'verbose_name_plural': 'shop photos',
                'ordering': ['position', 'pk'],
            },
        ),
    ]
