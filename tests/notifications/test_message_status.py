"""A Delivery log row's Status cell is one server partial: the list renders it and the htmx poll returns
it, the same markup, polling while the message is queued or sending and not once it is sent or failed."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from notifications.models import Message, MessageStatus
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def cell_in_list(client: Client, message: Message) -> str:
    html = client.get(reverse("notifications:message_list")).content.decode()
    found = re.search(rf'<span class="status-\w+" id="message-{message.pk}-status".*?</span>', html)
    assert found, html
    return found.group(0)


def cell_polled(client: Client, message: Message) -> str:
    response = client.get(reverse("notifications:message_status", args=[message.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return str(response.content.decode().strip())


def test_a_queued_messages_cell_is_the_same_in_the_list_and_the_poll_and_polls(provision_eve, admin_user):
    provision_eve()
    sms = Message.objects.get(channel="sms")
    Message.objects.filter(pk=sms.pk).update(status=MessageStatus.QUEUED)
    client = client_for(admin_user)

    polled = cell_polled(client, sms)
    assert polled == cell_in_list(client, sms)
    assert f'hx-get="{reverse("notifications:message_status", args=[sms.pk])}"' in polled
    assert f'hx-trigger="every {settings.LIVE_POLL_MS}ms"' in polled and 'hx-swap="outerHTML"' in polled
    assert ">Queued</span>" in polled


@pytest.mark.parametrize("status", [MessageStatus.SENT, MessageStatus.FAILED])
def test_a_sent_or_failed_messages_cell_is_the_same_in_the_list_and_the_poll_and_stops_polling(
        provision_eve, admin_user, status):
    provision_eve()
    sms = Message.objects.get(channel="sms")
    Message.objects.filter(pk=sms.pk).update(status=status)
    client = client_for(admin_user)

    polled = cell_polled(client, sms)
    assert polled == cell_in_list(client, sms)
    assert "hx-" not in polled


def test_the_poll_needs_the_delivery_log_permission(provision_eve, admin_user, helpdesk_user):
    provision_eve()
    url = reverse("notifications:message_status", args=[Message.objects.get(channel="sms").pk])

    assert client_for(helpdesk_user).get(url).status_code == 403
    assert client_for(None).get(url).status_code == 302
    assert client_for(admin_user).post(url).status_code == 405
