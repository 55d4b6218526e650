from enrollment.models import GeneralSettings


def activation_base_url() -> str:
    return GeneralSettings.load().effective_activation_url()


def activation_link(token: str, base_url: str | None = None) -> str:
    """The link a device opens to finish enrolling: Activation URL + /enroll/<token>/ (SPEC F9).
    Pass ``base_url`` when building many links, to read the setting once."""
    return f"{base_url or activation_base_url()}/enroll/{token}/"
