"""How each platform finishes an enrollment (the reference's "Finish Provisioning" table)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PlatformSteps:
    key: str
    name: str
    email: str
    sms: str


FINISH_STEPS = [
    PlatformSteps(
        key="android",
        name="Android/Samsung Knox",
        email=(
            "Stage the device for the user by visiting the Activation URL or scanning the QR-Code on the "
            "target device. Users can start the enrollment themselves with any option the device offers."
        ),
        sms=(
            "Open the link in the SMS. The user is first asked to install the Companion app, then re-opens "
            "the link; depending on Simple Enrollment the OTP is asked for, and the usual enrollment starts. "
            "Not for Android Enterprise Device Owner: that enrollment starts during the out-of-the-box experience."
        ),
    ),
    PlatformSteps(
        key="apple",
        name="iOS/iPadOS/macOS",
        email=(
            "Stage the device for the user by visiting the Activation URL or scanning the QR-Code on the "
            "target device. Users can do the same to enroll."
        ),
        sms=(
            "Open the link in the SMS. The profile download starts or, depending on Simple Enrollment, the OTP "
            "is asked for on the activation page first. Not for devices in the Device Enrollment Program, which "
            "enroll during the out-of-the-box experience."
        ),
    ),
    PlatformSteps(
        key="windows",
        name="Windows 10/11",
        email=(
            "Stage the device for the user by visiting the Activation URL on the target device. Users can do "
            "the same to enroll."
        ),
        sms="SMS enrollment is not available for Windows 10/11 devices.",
    ),
]
