"""The shipped message templates (also written by migration 0002; the admin alert's Mobile line by 0005; the
German, French and Italian versions by 0008), and the templates by key and language."""

from __future__ import annotations

from lib.languages import DEFAULT_LANGUAGE
from notifications.models import Channel, MessageTemplate, TemplateKey

DEFAULT_TEMPLATES: dict[str, dict[str, str]] = {
    TemplateKey.ADMIN_PROVISIONED: {
        "channel": Channel.EMAIL,
        "name": "Admin Provisioned a Device Notification",
        "subject": "A device was provisioned for {{ username }}",
        "body": (
            "Hello,\n\n"
            "{{ provisioned_by }} has provisioned a device on behalf of {{ username }}.\n\n"
            "Authorized by: {{ authorizer }}\n"
            "Ownership: {{ ownership }}\n"
            "{% if mobile %}Mobile: {{ mobile }}\n{% endif %}"
            "Token: {{ token }}\n"
            "OTP expires: {{ expires }}\n\n"
            "You receive this message because email alerts are on for your console account.\n"
        ),
    },
    TemplateKey.USER_PROVISIONED: {
        "channel": Channel.EMAIL,
        "name": "Admin Provisioned a Device Notification for User",
        "subject": "An Administrator has provisioned a device on your behalf",
        "body": (
            "Hello {{ username }},\n\n"
            "An Administrator has provisioned a device on your behalf. To finish the enrollment, "
            "open this link on the device:\n\n"
            "{{ activation_url }}\n\n"
            "Your one-time password: {{ otp }}\n"
            "It expires: {{ expires }}\n\n"
            "If you did not expect this message, contact your helpdesk.\n"
        ),
    },
    TemplateKey.ENROLLMENT_SMS: {
        "channel": Channel.SMS,
        "name": "Enrollment SMS",
        "subject": "",
        "body": "Enroll your device: {{ activation_url }} One-time password: {{ otp }}",
    },
}


# The six taps and what follows (the reference's Advanced QR-Code Provisioning), for the QR emails.
QR_STEPS = (
    "To enroll a new or factory-reset Android device:\n"
    "1. Turn the device on and stay on its Welcome screen.\n"
    "2. Tap the Welcome screen six times in the same place: the QR code reader opens.\n"
    "3. Scan the attached QR code and follow the setup. The device connects, installs the Companion app "
    "and enrolls for {{ username }} by itself.\n\n"
    "The code enrolls up to {{ usage_count }} device(s). Its one-time password expires: {{ expires }}.\n"
    "Keep the code private: it holds the device's one-time password and may hold a Wi-Fi password.\n"
)
DEFAULT_TEMPLATES[TemplateKey.OTP_RESET] = {
    "channel": Channel.EMAIL,
    "name": "New OTP for User",
    "subject": "Your device enrollment has a new one-time password",
    "body": (
        "Hello {{ username }},\n\n"
        "Your helpdesk has given your pending device enrollment a new one-time password; the one you had "
        "before no longer works. To finish the enrollment, open this link on the device:\n\n"
        "{{ activation_url }}\n\n"
        "Your new one-time password: {{ otp }}\n"
        "It expires: {{ expires }}\n\n"
        "If you did not expect this message, contact your helpdesk.\n"
    ),
}
DEFAULT_TEMPLATES[TemplateKey.QR_USER] = {
    "channel": Channel.EMAIL,
    "name": "QR-Code for User",
    "subject": "Your Android enrollment QR code",
    "body": (
        "Hello {{ username }},\n\n"
        "An Administrator has created an Android Enterprise enrollment QR code for your device. "
        "It is attached to this email.\n\n" + QR_STEPS
    ),
}
DEFAULT_TEMPLATES[TemplateKey.QR_ALTERNATIVE] = {
    "channel": Channel.EMAIL,
    "name": "QR-Code for Alternative Address",
    "subject": "An Android enrollment QR code for {{ username }}",
    "body": (
        "Hello,\n\n"
        "An Administrator has created an Android Enterprise enrollment QR code for a device of {{ username }} "
        "and asked for it to be sent to this address. It is attached to this email.\n\n" + QR_STEPS
    ),
}


# The end-user templates in German, French and Italian (F17), formal address (Sie, vous, Lei); the
# reference's terms kept: OTP, QR-Code, Companion. Also written by migration 0008.
QR_STEPS_DE = (
    "So registrieren Sie ein neues oder auf Werkseinstellungen zurückgesetztes Android-Gerät:\n"
    "1. Schalten Sie das Gerät ein und bleiben Sie auf dem Willkommensbildschirm.\n"
    "2. Tippen Sie sechsmal auf dieselbe Stelle des Willkommensbildschirms: Der QR-Code-Leser öffnet sich.\n"
    "3. Scannen Sie den angehängten QR-Code und folgen Sie der Einrichtung. Das Gerät verbindet sich, installiert "
    "die Companion-App und registriert sich selbstständig für {{ username }}.\n\n"
    "Mit dem Code lassen sich bis zu {{ usage_count }} Gerät(e) registrieren. Sein Einmalpasswort (OTP) läuft ab: "
    "{{ expires }}.\n"
    "Behandeln Sie den Code vertraulich: Er enthält das Einmalpasswort des Geräts und möglicherweise ein "
    "WLAN-Passwort.\n"
)
QR_STEPS_FR = (
    "Pour enrôler un appareil Android neuf ou réinitialisé aux paramètres d'usine :\n"
    "1. Allumez l'appareil et restez sur son écran de bienvenue.\n"
    "2. Touchez six fois le même endroit de l'écran de bienvenue : le lecteur de QR-Code s'ouvre.\n"
    "3. Scannez le QR-Code joint et suivez la configuration. L'appareil se connecte, installe l'application "
    "Companion et s'enrôle de lui-même pour {{ username }}.\n\n"
    "Ce code permet d'enrôler jusqu'à {{ usage_count }} appareil(s). Expiration de son mot de passe à usage "
    "unique (OTP) : {{ expires }}.\n"
    "Gardez ce code confidentiel : il contient le mot de passe à usage unique de l'appareil et peut contenir un "
    "mot de passe Wi-Fi.\n"
)
QR_STEPS_IT = (
    "Per registrare un dispositivo Android nuovo o ripristinato alle impostazioni di fabbrica:\n"
    "1. Accenda il dispositivo e rimanga sulla schermata di benvenuto.\n"
    "2. Tocchi sei volte lo stesso punto della schermata di benvenuto: si apre il lettore di QR-Code.\n"
    "3. Scansioni il QR-Code allegato e segua la configurazione. Il dispositivo si connette, installa l'app "
    "Companion e si registra automaticamente per {{ username }}.\n\n"
    "Il codice consente di registrare fino a {{ usage_count }} dispositivo/i. Scadenza della password monouso "
    "(OTP): {{ expires }}.\n"
    "Conservi il codice in modo riservato: contiene la password monouso del dispositivo e può contenere una "
    "password Wi-Fi.\n"
)
DEFAULT_TRANSLATIONS: dict[str, dict[str, dict[str, str]]] = {
    "de": {
        TemplateKey.USER_PROVISIONED: {
            "subject": "Ein Administrator hat ein Gerät für Sie bereitgestellt",
            "body": (
                "Guten Tag {{ username }},\n\n"
                "ein Administrator hat ein Gerät für Sie bereitgestellt. Um die Registrierung abzuschließen, "
                "öffnen Sie diesen Link auf dem Gerät:\n\n"
                "{{ activation_url }}\n\n"
                "Ihr Einmalpasswort (OTP): {{ otp }}\n"
                "Läuft ab: {{ expires }}\n\n"
                "Falls Sie diese Nachricht nicht erwartet haben, wenden Sie sich bitte an Ihren Helpdesk.\n"
            ),
        },
        TemplateKey.ENROLLMENT_SMS: {
            "subject": "",
            "body": "Registrieren Sie Ihr Gerät: {{ activation_url }} OTP: {{ otp }}",
        },
        TemplateKey.OTP_RESET: {
            "subject": "Neues Einmalpasswort (OTP) für Ihre Geräteregistrierung",
            "body": (
                "Guten Tag {{ username }},\n\n"
                "Ihr Helpdesk hat für Ihre ausstehende Geräteregistrierung ein neues Einmalpasswort (OTP) erstellt; "
                "das bisherige gilt nicht mehr. Um die Registrierung abzuschließen, öffnen Sie diesen Link auf dem "
                "Gerät:\n\n"
                "{{ activation_url }}\n\n"
                "Ihr neues OTP: {{ otp }}\n"
                "Läuft ab: {{ expires }}\n\n"
                "Falls Sie diese Nachricht nicht erwartet haben, wenden Sie sich bitte an Ihren Helpdesk.\n"
            ),
        },
        TemplateKey.QR_USER: {
            "subject": "Ihr QR-Code für die Android-Registrierung",
            "body": (
                "Guten Tag {{ username }},\n\n"
                "ein Administrator hat für Ihr Gerät einen QR-Code zur Registrierung mit Android Enterprise "
                "erstellt. Sie finden ihn im Anhang dieser E-Mail.\n\n" + QR_STEPS_DE
            ),
        },
        TemplateKey.QR_ALTERNATIVE: {
            "subject": "QR-Code für die Android-Registrierung von {{ username }}",
            "body": (
                "Guten Tag,\n\n"
                "ein Administrator hat einen QR-Code zur Registrierung eines Geräts von {{ username }} mit Android "
                "Enterprise erstellt und ihn an diese Adresse senden lassen. Sie finden ihn im Anhang dieser "
                "E-Mail.\n\n" + QR_STEPS_DE
            ),
        },
    },
    "fr": {
        TemplateKey.USER_PROVISIONED: {
            "subject": "Un administrateur a préparé un appareil pour vous",
            "body": (
                "Bonjour {{ username }},\n\n"
                "Un administrateur a préparé un appareil pour vous. Pour terminer l'enrôlement, ouvrez ce lien "
                "sur l'appareil :\n\n"
                "{{ activation_url }}\n\n"
                "Votre mot de passe à usage unique (OTP) : {{ otp }}\n"
                "Expiration : {{ expires }}\n\n"
                "Si vous n'attendiez pas ce message, contactez votre service d'assistance.\n"
            ),
        },
        TemplateKey.ENROLLMENT_SMS: {
            "subject": "",
            "body": "Enregistrez votre appareil : {{ activation_url }} OTP : {{ otp }}",
        },
        TemplateKey.OTP_RESET: {
            "subject": "Nouveau mot de passe à usage unique (OTP) pour l'enrôlement de votre appareil",
            "body": (
                "Bonjour {{ username }},\n\n"
                "Votre service d'assistance a attribué un nouveau mot de passe à usage unique (OTP) à l'enrôlement "
                "en attente de votre appareil ; l'ancien ne fonctionne plus. Pour terminer l'enrôlement, ouvrez ce "
                "lien sur l'appareil :\n\n"
                "{{ activation_url }}\n\n"
                "Votre nouvel OTP : {{ otp }}\n"
                "Expiration : {{ expires }}\n\n"
                "Si vous n'attendiez pas ce message, contactez votre service d'assistance.\n"
            ),
        },
        TemplateKey.QR_USER: {
            "subject": "Votre QR-Code d'enrôlement Android",
            "body": (
                "Bonjour {{ username }},\n\n"
                "Un administrateur a créé pour votre appareil un QR-Code d'enrôlement Android Enterprise. Il est "
                "joint à cet e-mail.\n\n" + QR_STEPS_FR
            ),
        },
        TemplateKey.QR_ALTERNATIVE: {
            "subject": "Un QR-Code d'enrôlement Android pour {{ username }}",
            "body": (
                "Bonjour,\n\n"
                "Un administrateur a créé un QR-Code d'enrôlement Android Enterprise pour un appareil de "
                "{{ username }} et a demandé qu'il soit envoyé à cette adresse. Il est joint à cet e-mail.\n\n"
                + QR_STEPS_FR
            ),
        },
    },
    "it": {
        TemplateKey.USER_PROVISIONED: {
            "subject": "Un amministratore ha predisposto un dispositivo per Lei",
            "body": (
                "Gentile {{ username }},\n\n"
                "un amministratore ha predisposto un dispositivo per Lei. Per completare la registrazione, apra "
                "questo link sul dispositivo:\n\n"
                "{{ activation_url }}\n\n"
                "La Sua password monouso (OTP): {{ otp }}\n"
                "Scadenza: {{ expires }}\n\n"
                "Se non si aspettava questo messaggio, contatti il Suo helpdesk.\n"
            ),
        },
        TemplateKey.ENROLLMENT_SMS: {
            "subject": "",
            "body": "Registri il Suo dispositivo: {{ activation_url }} OTP: {{ otp }}",
        },
        TemplateKey.OTP_RESET: {
            "subject": "Nuova password monouso (OTP) per la registrazione del Suo dispositivo",
            "body": (
                "Gentile {{ username }},\n\n"
                "il Suo helpdesk ha assegnato una nuova password monouso (OTP) alla registrazione in sospeso del "
                "Suo dispositivo; quella precedente non è più valida. Per completare la registrazione, apra questo "
                "link sul dispositivo:\n\n"
                "{{ activation_url }}\n\n"
                "Il Suo nuovo OTP: {{ otp }}\n"
                "Scadenza: {{ expires }}\n\n"
                "Se non si aspettava questo messaggio, contatti il Suo helpdesk.\n"
            ),
        },
        TemplateKey.QR_USER: {
            "subject": "Il Suo QR-Code per la registrazione Android",
            "body": (
                "Gentile {{ username }},\n\n"
                "un amministratore ha creato per il Suo dispositivo un QR-Code di registrazione Android "
                "Enterprise, che trova allegato a questa e-mail.\n\n" + QR_STEPS_IT
            ),
        },
        TemplateKey.QR_ALTERNATIVE: {
            "subject": "Un QR-Code per la registrazione Android di {{ username }}",
            "body": (
                "Buongiorno,\n\n"
                "un amministratore ha creato un QR-Code di registrazione Android Enterprise per un dispositivo di "
                "{{ username }} e ha chiesto di inviarlo a questo indirizzo. Lo trova allegato a questa e-mail.\n\n"
                + QR_STEPS_IT
            ),
        },
    },
}


def default_fields(key: str, language: str) -> dict[str, str] | None:
    """The shipped version of template ``key`` in ``language`` (channel, name, subject, body), or None."""
    english = DEFAULT_TEMPLATES.get(key)
    if english is None or language == DEFAULT_LANGUAGE:
        return english
    texts = DEFAULT_TRANSLATIONS.get(language, {}).get(key)
    return None if texts is None else {**english, **texts}


class TemplateSet:
    """The templates by key and language: ``get(key, language)`` is that language's version, or the
    English one when the language has none (English always exists)."""

    def __init__(self, templates: list[MessageTemplate]) -> None:
        self._by_version = {(t.key, t.language): t for t in templates}

    def get(self, key: str, language: str = DEFAULT_LANGUAGE) -> MessageTemplate:
        return self._by_version.get((key, language)) or self._by_version[key, DEFAULT_LANGUAGE]

    def __getitem__(self, key: str) -> MessageTemplate:
        return self.get(key)


def ensure_default_templates() -> TemplateSet:
    """All templates, creating a missing English default and, for a key with no version at all (a database
    set up without migration data), every shipped language version. A language version an Administrator
    removed stays removed while the key has others: that language then gets the English one."""
    templates = list(MessageTemplate.objects.all())
    versions = {(t.key, t.language) for t in templates}
    keys = {t.key for t in templates}
    for key in DEFAULT_TEMPLATES:
        languages = [DEFAULT_LANGUAGE] if key in keys else [DEFAULT_LANGUAGE, *DEFAULT_TRANSLATIONS]
        for language in languages:
            fields = default_fields(key, language)
            if fields is not None and (key, language) not in versions:
                template, _ = MessageTemplate.objects.get_or_create(key=key, language=language, defaults=fields)
                templates.append(template)
    return TemplateSet(templates)
