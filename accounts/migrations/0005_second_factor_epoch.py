"""A console user's second-factor epoch: part of the session hash, so a reset of the second factor ends their sessions."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_alter_user_managers'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='second_factor_epoch',
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
    ]
