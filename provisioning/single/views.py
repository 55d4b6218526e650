from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from accounts.access import console_view
from accounts.ldap import ldap_enabled
from audit.actor import Actor
from enrollment.links import activation_link
from enrollment.platforms import FINISH_STEPS
from enrollment.selectors import pending_get
from enrollment.services import OTP_UNREADABLE, otp_reveal
from provisioning.single.forms import ProvisionUserForm
from provisioning.single.services import ProvisioningError, user_provision

# Provisioned User Details reveals the OTP: only for those who may also view it on the pending list.
DETAILS_PERMISSIONS = ("provisioning.provision_user", "enrollment.view_pendingenrollment", "enrollment.view_otp")


@sensitive_variables()
@sensitive_post_parameters("authorizer_password", "authorizer_code")
@console_view("provisioning.provision_user")
@require_http_methods(["GET", "POST"])
def provision_user(request: HttpRequest) -> HttpResponse:
    form = ProvisionUserForm(request.POST or None, ldap_enabled=ldap_enabled())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = user_provision(
                actor=Actor.from_request(request),
                ownership=data["ownership"],
                username=data["username"],
                user_type=data["user_type"],
                mobile=data["mobile"],
                email=data["email"],
                language=data["language"],
                authorizer_username=data["authorizer_username"],
                authorizer_password=data["authorizer_password"],
                authorizer_code=data["authorizer_code"],
            )
        except ProvisioningError as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, f"A pending enrollment was created for {created.enrollment.username}.")
            if request.user.has_perms(DETAILS_PERMISSIONS):
                return redirect("provisioning:provisioned_user", token=created.enrollment.token)
            return redirect("enrollment:pending_list")
    return render(request, "provisioning/provision_user.html", {"form": form},
                  status=400 if form.errors else 200)


@sensitive_variables()
@never_cache
@console_view(*DETAILS_PERMISSIONS)
def provisioned_user(request: HttpRequest, token: str) -> HttpResponse:
    """Provisioned User Details: reveals the OTP, so it is audited like View OTP."""
    enrollment = pending_get(request.user, token)
    otp = otp_reveal(enrollment=enrollment, actor=Actor.from_request(request))
    return render(request, "provisioning/provision_details.html", {
        "enrollment": enrollment,
        "otp": otp,
        "otp_unreadable": OTP_UNREADABLE,
        "link": activation_link(enrollment.token),
        "platforms": FINISH_STEPS,
    })
