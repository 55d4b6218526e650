"""The form renderer: every ``{{ field.as_field_group }}`` renders through one field template."""

from django.forms.renderers import TemplatesSetting


class OnrampFormRenderer(TemplatesSetting):
    """Renders forms with the project's template engine (so ``templates/`` is searched; Django's own
    form templates come from the ``django.forms`` app) and one field template, whose help and error
    ids are the ones Django's ``aria-describedby`` names."""

    field_template_name = "includes/field.html"
