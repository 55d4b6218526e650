"""Wording fixes of the shipped German, French and Italian templates (outside test of F17): German "Läuft ab"
for when the OTP expires (it reads right for "nie" too, where "Gültig bis: unbegrenzt" did not), the French QR
steps' "écran de bienvenue" (the setup wizard's Welcome screen, not the home screen) and a French SMS in the GSM
7-bit alphabet ("Enregistrez": "ô" made every SMS a 70-character UCS-2 part). Only a row still holding the text
shipped by 0008 changes: an Administrator's edit is kept."""

from django.db import migrations

# (language, key, field, the text 0008 shipped, the new text)
CHANGES = [
    ('de', 'user_provisioned', 'body',
     ('Guten Tag {{ username }},\n'
      '\n'
      'ein Administrator hat ein Gerät für Sie bereitgestellt. Um die Registrierung abzuschließen, '
      'öffnen Sie diesen Link auf dem Gerät:\n'
      '\n'
      '{{ activation_url }}\n'
      '\n'
      'Ihr Einmalpasswort (OTP): {{ otp }}\n'
      'Gültig bis: {{ expires }}\n'
      '\n'
      'Falls Sie diese Nachricht nicht erwartet haben, wenden Sie sich bitte an Ihren Helpdesk.\n'),
     ('Guten Tag {{ username }},\n'
      '\n'
      'ein Administrator hat ein Gerät für Sie bereitgestellt. Um die Registrierung abzuschließen, '
      'öffnen Sie diesen Link auf dem Gerät:\n'
      '\n'
      '{{ activation_url }}\n'
      '\n'
      'Ihr Einmalpasswort (OTP): {{ otp }}\n'
      'Läuft ab: {{ expires }}\n'
      '\n'
      'Falls Sie diese Nachricht nicht erwartet haben, wenden Sie sich bitte an Ihren Helpdesk.\n')),
    ('de', 'otp_reset', 'body',
     ('Guten Tag {{ username }},\n'
      '\n'
      'Ihr Helpdesk hat für Ihre ausstehende Geräteregistrierung ein neues Einmalpasswort (OTP) '
      'erstellt; das bisherige gilt nicht mehr. Um die Registrierung abzuschließen, öffnen Sie '
      'diesen Link auf dem Gerät:\n'
      '\n'
      '{{ activation_url }}\n'
      '\n'
      'Ihr neues OTP: {{ otp }}\n'
      'Gültig bis: {{ expires }}\n'
      '\n'
      'Falls Sie diese Nachricht nicht erwartet haben, wenden Sie sich bitte an Ihren Helpdesk.\n'),
     ('Guten Tag {{ username }},\n'
      '\n'
      'Ihr Helpdesk hat für Ihre ausstehende Geräteregistrierung ein neues Einmalpasswort (OTP) '
      'erstellt; das bisherige gilt nicht mehr. Um die Registrierung abzuschließen, öffnen Sie '
      'diesen Link auf dem Gerät:\n'
      '\n'
      '{{ activation_url }}\n'
      '\n'
      'Ihr neues OTP: {{ otp }}\n'
      'Läuft ab: {{ expires }}\n'
      '\n'
      'Falls Sie diese Nachricht nicht erwartet haben, wenden Sie sich bitte an Ihren Helpdesk.\n')),
    ('de', 'qr_user', 'body',
     ('Guten Tag {{ username }},\n'
      '\n'
      'ein Administrator hat für Ihr Gerät einen QR-Code zur Registrierung mit Android Enterprise '
      'erstellt. Sie finden ihn im Anhang dieser E-Mail.\n'
      '\n'
      'So registrieren Sie ein neues oder auf Werkseinstellungen zurückgesetztes Android-Gerät:\n'
      '1. Schalten Sie das Gerät ein und bleiben Sie auf dem Willkommensbildschirm.\n'
      '2. Tippen Sie sechsmal auf dieselbe Stelle des Willkommensbildschirms: Der QR-Code-Leser '
      'öffnet sich.\n'
      '3. Scannen Sie den angehängten QR-Code und folgen Sie der Einrichtung. Das Gerät verbindet '
      'sich, installiert die Companion-App und registriert sich selbstständig für {{ username }}.\n'
      '\n'
      'Mit dem Code lassen sich bis zu {{ usage_count }} Gerät(e) registrieren. Sein Einmalpasswort '
      '(OTP) ist gültig bis: {{ expires }}.\n'
      'Behandeln Sie den Code vertraulich: Er enthält das Einmalpasswort des Geräts und '
      'möglicherweise ein WLAN-Passwort.\n'),
     ('Guten Tag {{ username }},\n'
      '\n'
      'ein Administrator hat für Ihr Gerät einen QR-Code zur Registrierung mit Android Enterprise '
      'erstellt. Sie finden ihn im Anhang dieser E-Mail.\n'
      '\n'
      'So registrieren Sie ein neues oder auf Werkseinstellungen zurückgesetztes Android-Gerät:\n'
      '1. Schalten Sie das Gerät ein und bleiben Sie auf dem Willkommensbildschirm.\n'
      '2. Tippen Sie sechsmal auf dieselbe Stelle des Willkommensbildschirms: Der QR-Code-Leser '
      'öffnet sich.\n'
      '3. Scannen Sie den angehängten QR-Code und folgen Sie der Einrichtung. Das Gerät verbindet '
      'sich, installiert die Companion-App und registriert sich selbstständig für {{ username }}.\n'
      '\n'
      'Mit dem Code lassen sich bis zu {{ usage_count }} Gerät(e) registrieren. Sein Einmalpasswort '
      '(OTP) läuft ab: {{ expires }}.\n'
      'Behandeln Sie den Code vertraulich: Er enthält das Einmalpasswort des Geräts und '
      'möglicherweise ein WLAN-Passwort.\n')),
    ('de', 'qr_alternative', 'body',
     ('Guten Tag,\n'
      '\n'
      'ein Administrator hat einen QR-Code zur Registrierung eines Geräts von {{ username }} mit '
      'Android Enterprise erstellt und ihn an diese Adresse senden lassen. Sie finden ihn im Anhang '
      'dieser E-Mail.\n'
      '\n'
      'So registrieren Sie ein neues oder auf Werkseinstellungen zurückgesetztes Android-Gerät:\n'
      '1. Schalten Sie das Gerät ein und bleiben Sie auf dem Willkommensbildschirm.\n'
      '2. Tippen Sie sechsmal auf dieselbe Stelle des Willkommensbildschirms: Der QR-Code-Leser '
      'öffnet sich.\n'
      '3. Scannen Sie den angehängten QR-Code und folgen Sie der Einrichtung. Das Gerät verbindet '
      'sich, installiert die Companion-App und registriert sich selbstständig für {{ username }}.\n'
      '\n'
      'Mit dem Code lassen sich bis zu {{ usage_count }} Gerät(e) registrieren. Sein Einmalpasswort '
      '(OTP) ist gültig bis: {{ expires }}.\n'
      'Behandeln Sie den Code vertraulich: Er enthält das Einmalpasswort des Geräts und '
      'möglicherweise ein WLAN-Passwort.\n'),
     ('Guten Tag,\n'
      '\n'
      'ein Administrator hat einen QR-Code zur Registrierung eines Geräts von {{ username }} mit '
      'Android Enterprise erstellt und ihn an diese Adresse senden lassen. Sie finden ihn im Anhang '
      'dieser E-Mail.\n'
      '\n'
      'So registrieren Sie ein neues oder auf Werkseinstellungen zurückgesetztes Android-Gerät:\n'
      '1. Schalten Sie das Gerät ein und bleiben Sie auf dem Willkommensbildschirm.\n'
      '2. Tippen Sie sechsmal auf dieselbe Stelle des Willkommensbildschirms: Der QR-Code-Leser '
      'öffnet sich.\n'
      '3. Scannen Sie den angehängten QR-Code und folgen Sie der Einrichtung. Das Gerät verbindet '
      'sich, installiert die Companion-App und registriert sich selbstständig für {{ username }}.\n'
      '\n'
      'Mit dem Code lassen sich bis zu {{ usage_count }} Gerät(e) registrieren. Sein Einmalpasswort '
      '(OTP) läuft ab: {{ expires }}.\n'
      'Behandeln Sie den Code vertraulich: Er enthält das Einmalpasswort des Geräts und '
      'möglicherweise ein WLAN-Passwort.\n')),
    ('fr', 'enrollment_sms', 'body',
     ('Enrôlez votre appareil : {{ activation_url }} OTP : {{ otp }}'),
     ('Enregistrez votre appareil : {{ activation_url }} OTP : {{ otp }}')),
    ('fr', 'qr_user', 'body',
     ('Bonjour {{ username }},\n'
      '\n'
      "Un administrateur a créé pour votre appareil un QR-Code d'enrôlement Android Enterprise. Il "
      'est joint à cet e-mail.\n'
      '\n'
      "Pour enrôler un appareil Android neuf ou réinitialisé aux paramètres d'usine :\n"
      "1. Allumez l'appareil et restez sur son écran d'accueil.\n"
      "2. Touchez six fois le même endroit de l'écran d'accueil : le lecteur de QR-Code s'ouvre.\n"
      "3. Scannez le QR-Code joint et suivez la configuration. L'appareil se connecte, installe "
      "l'application Companion et s'enrôle de lui-même pour {{ username }}.\n"
      '\n'
      "Ce code permet d'enrôler jusqu'à {{ usage_count }} appareil(s). Expiration de son mot de "
      'passe à usage unique (OTP) : {{ expires }}.\n'
      "Gardez ce code confidentiel : il contient le mot de passe à usage unique de l'appareil et "
      'peut contenir un mot de passe Wi-Fi.\n'),
     ('Bonjour {{ username }},\n'
      '\n'
      "Un administrateur a créé pour votre appareil un QR-Code d'enrôlement Android Enterprise. Il "
      'est joint à cet e-mail.\n'
      '\n'
      "Pour enrôler un appareil Android neuf ou réinitialisé aux paramètres d'usine :\n"
      "1. Allumez l'appareil et restez sur son écran de bienvenue.\n"
      "2. Touchez six fois le même endroit de l'écran de bienvenue : le lecteur de QR-Code s'ouvre.\n"
      "3. Scannez le QR-Code joint et suivez la configuration. L'appareil se connecte, installe "
      "l'application Companion et s'enrôle de lui-même pour {{ username }}.\n"
      '\n'
      "Ce code permet d'enrôler jusqu'à {{ usage_count }} appareil(s). Expiration de son mot de "
      'passe à usage unique (OTP) : {{ expires }}.\n'
      "Gardez ce code confidentiel : il contient le mot de passe à usage unique de l'appareil et "
      'peut contenir un mot de passe Wi-Fi.\n')),
    ('fr', 'qr_alternative', 'body',
     ('Bonjour,\n'
      '\n'
      "Un administrateur a créé un QR-Code d'enrôlement Android Enterprise pour un appareil de {{ "
      "username }} et a demandé qu'il soit envoyé à cette adresse. Il est joint à cet e-mail.\n"
      '\n'
      "Pour enrôler un appareil Android neuf ou réinitialisé aux paramètres d'usine :\n"
      "1. Allumez l'appareil et restez sur son écran d'accueil.\n"
      "2. Touchez six fois le même endroit de l'écran d'accueil : le lecteur de QR-Code s'ouvre.\n"
      "3. Scannez le QR-Code joint et suivez la configuration. L'appareil se connecte, installe "
      "l'application Companion et s'enrôle de lui-même pour {{ username }}.\n"
      '\n'
      "Ce code permet d'enrôler jusqu'à {{ usage_count }} appareil(s). Expiration de son mot de "
      'passe à usage unique (OTP) : {{ expires }}.\n'
      "Gardez ce code confidentiel : il contient le mot de passe à usage unique de l'appareil et "
      'peut contenir un mot de passe Wi-Fi.\n'),
     ('Bonjour,\n'
      '\n'
      "Un administrateur a créé un QR-Code d'enrôlement Android Enterprise pour un appareil de {{ "
      "username }} et a demandé qu'il soit envoyé à cette adresse. Il est joint à cet e-mail.\n"
      '\n'
      "Pour enrôler un appareil Android neuf ou réinitialisé aux paramètres d'usine :\n"
      "1. Allumez l'appareil et restez sur son écran de bienvenue.\n"
      "2. Touchez six fois le même endroit de l'écran de bienvenue : le lecteur de QR-Code s'ouvre.\n"
      "3. Scannez le QR-Code joint et suivez la configuration. L'appareil se connecte, installe "
      "l'application Companion et s'enrôle de lui-même pour {{ username }}.\n"
      '\n'
      "Ce code permet d'enrôler jusqu'à {{ usage_count }} appareil(s). Expiration de son mot de "
      'passe à usage unique (OTP) : {{ expires }}.\n'
      "Gardez ce code confidentiel : il contient le mot de passe à usage unique de l'appareil et "
      'peut contenir un mot de passe Wi-Fi.\n')),
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for language, key, field, old, new in CHANGES:
        MessageTemplate.objects.filter(key=key, language=language, **{field: old}).update(**{field: new})


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for language, key, field, old, new in CHANGES:
        MessageTemplate.objects.filter(key=key, language=language, **{field: new}).update(**{field: old})


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0008_template_languages"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
