"""The body every console settings page shares (OTP policy, General, Simple Enrollment, App Portal and
SMS, Companion app): one form over one settings row, saved and audited by ``settings_save``."""

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from audit.actor import Actor
from audit.services import settings_save

NOTHING_CHANGED = "Nothing changed."


def settings_page(
    request: HttpRequest,
    *,
    form_class: type[forms.ModelForm[Any]],
    instance: Model,
    name: str,
    title: str,
    success_message: str,
    redirect_to: str,
    intro: str = "",
    template: str = "settings_page.html",
) -> HttpResponse:
    """GET shows the form; a valid POST saves through ``settings_save`` (audited as ``name``), shows
    the form's ``warnings`` (a list of texts a form may fill while cleaning) and ``success_message``
    ("Nothing changed." when no field did), and redirects to ``redirect_to``; an invalid POST shows
    the form with its errors.

    A POST is always bound, even empty: a page whose only field is an unticked checkbox posts
    nothing. ``intro`` is a paragraph above the form (mark it safe to include markup); a page that
    needs more passes its own ``template`` extending settings_page.html."""
    posted = request.method == "POST"
    form = form_class(request.POST if posted else None, request.FILES if posted else None, instance=instance)
    if posted and form.is_valid():
        changes = settings_save(row=form.save(commit=False), actor=Actor.from_request(request), name=name,
                                fields=list(form.fields))
        for warning in getattr(form, "warnings", ()):
            messages.warning(request, warning)
        if changes:
            messages.success(request, success_message)
        else:
            messages.info(request, NOTHING_CHANGED)
        return redirect(redirect_to)
    return render(request, template, {"form": form, "title": title, "intro": intro})
