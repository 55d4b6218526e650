"""The end user's language on each pending enrollment (F17); existing ones are English."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enrollment', '0010_device_remove_role'),
    ]

    operations = [
        migrations.AddField(
            model_name='pendingenrollment',
            name='language',
            field=models.CharField(choices=[('en', 'English'), ('de', 'German'), ('fr', 'French'), ('it', 'Italian')], default='en', max_length=8, verbose_name='Language'),
        ),
    ]
