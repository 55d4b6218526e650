"""One version of each end-user template per language (F17): the key is unique per language, English the
existing rows; the shipped German, French and Italian versions, texts frozen here (an existing row is never
overwritten)."""

from django.db import migrations, models

TEMPLATES = {'de': {'user_provisioned': {'channel': 'email',
                             'name': 'Admin Provisioned a Device Notification for User',
                             'subject': 'Ein Administrator hat ein Gerät für Sie bereitgestellt',
                             'body': 'Guten Tag {{ username }},\n'
                                     '\n'
                                     'ein Administrator hat ein Gerät für Sie bereitgestellt. Um die Registrierung '
                                     'abzuschließen, öffnen Sie diesen Link auf dem Gerät:\n'
                                     '\n'
                                     '{{ activation_url }}\n'
                                     '\n'
                                     'Ihr Einmalpasswort (OTP): {{ otp }}\n'
                                     'Gültig bis: {{ expires }}\n'
                                     '\n'
                                     'Falls Sie diese Nachricht nicht erwartet haben, wenden Sie sich bitte an '
                                     'Ihren Helpdesk.\n'},
        'enrollment_sms': {'channel': 'sms',
                           'name': 'Enrollment SMS',
                           'subject': '',
                           'body': 'Registrieren Sie Ihr Gerät: {{ activation_url }} OTP: {{ otp }}'},
        'otp_reset': {'channel': 'email',
                      'name': 'New OTP for User',
                      'subject': 'Neues Einmalpasswort (OTP) für Ihre Geräteregistrierung',
                      'body': 'Guten Tag {{ username }},\n'
                              '\n'
                              'Ihr Helpdesk hat für Ihre ausstehende Geräteregistrierung ein neues Einmalpasswort '
                              '(OTP) erstellt; das bisherige gilt nicht mehr. Um die Registrierung abzuschließen, '
                              'öffnen Sie diesen Link auf dem Gerät:\n'
                              '\n'
                              '{{ activation_url }}\n'
                              '\n'
                              'Ihr neues OTP: {{ otp }}\n'
                              'Gültig bis: {{ expires }}\n'
                              '\n'
                              'Falls Sie diese Nachricht nicht erwartet haben, wenden Sie sich bitte an Ihren '
                              'Helpdesk.\n'},
        'qr_user': {'channel': 'email',
                    'name': 'QR-Code for User',
                    'subject': 'Ihr QR-Code für die Android-Registrierung',
                    'body': 'Guten Tag {{ username }},\n'
                            '\n'
                            'ein Administrator hat für Ihr Gerät einen QR-Code zur Registrierung mit Android '
                            'Enterprise erstellt. Sie finden ihn im Anhang dieser E-Mail.\n'
                            '\n'
                            'So registrieren Sie ein neues oder auf Werkseinstellungen zurückgesetztes '
                            'Android-Gerät:\n'
                            '1. Schalten Sie das Gerät ein und bleiben Sie auf dem Willkommensbildschirm.\n'
                            '2. Tippen Sie sechsmal auf dieselbe Stelle des Willkommensbildschirms: Der '
                            'QR-Code-Leser öffnet sich.\n'
                            '3. Scannen Sie den angehängten QR-Code und folgen Sie der Einrichtung. Das Gerät '
                            'verbindet sich, installiert die Companion-App und registriert sich selbstständig für '
                            '{{ username }}.\n'
                            '\n'
                            'Mit dem Code lassen sich bis zu {{ usage_count }} Gerät(e) registrieren. Sein '
                            'Einmalpasswort (OTP) ist gültig bis: {{ expires }}.\n'
                            'Behandeln Sie den Code vertraulich: Er enthält das Einmalpasswort des Geräts und '
                            'möglicherweise ein WLAN-Passwort.\n'},
        'qr_alternative': {'channel': 'email',
                           'name': 'QR-Code for Alternative Address',
                           'subject': 'QR-Code für die Android-Registrierung von {{ username }}',
                           'body': 'Guten Tag,\n'
                                   '\n'
                                   'ein Administrator hat einen QR-Code zur Registrierung eines Geräts von {{ '
                                   'username }} mit Android Enterprise erstellt und ihn an diese Adresse senden '
                                   'lassen. Sie finden ihn im Anhang dieser E-Mail.\n'
                                   '\n'
                                   'So registrieren Sie ein neues oder auf Werkseinstellungen zurückgesetztes '
                                   'Android-Gerät:\n'
                                   '1. Schalten Sie das Gerät ein und bleiben Sie auf dem Willkommensbildschirm.\n'
                                   '2. Tippen Sie sechsmal auf dieselbe Stelle des Willkommensbildschirms: Der '
                                   'QR-Code-Leser öffnet sich.\n'
                                   '3. Scannen Sie den angehängten QR-Code und folgen Sie der Einrichtung. Das '
                                   'Gerät verbindet sich, installiert die Companion-App und registriert sich '
                                   'selbstständig für {{ username }}.\n'
                                   '\n'
                                   'Mit dem Code lassen sich bis zu {{ usage_count }} Gerät(e) registrieren. Sein '
                                   'Einmalpasswort (OTP) ist gültig bis: {{ expires }}.\n'
                                   'Behandeln Sie den Code vertraulich: Er enthält das Einmalpasswort des Geräts '
                                   'und möglicherweise ein WLAN-Passwort.\n'}},
 'fr': {'user_provisioned': {'channel': 'email',
                             'name': 'Admin Provisioned a Device Notification for User',
                             'subject': 'Un administrateur a préparé un appareil pour vous',
                             'body': 'Bonjour {{ username }},\n'
                                     '\n'
                                     'Un administrateur a préparé un appareil pour vous. Pour terminer '
                                     "l'enrôlement, ouvrez ce lien sur l'appareil :\n"
                                     '\n'
                                     '{{ activation_url }}\n'
                                     '\n'
                                     'Votre mot de passe à usage unique (OTP) : {{ otp }}\n'
                                     'Expiration : {{ expires }}\n'
                                     '\n'
                                     "Si vous n'attendiez pas ce message, contactez votre service d'assistance.\n"},
        'enrollment_sms': {'channel': 'sms',
                           'name': 'Enrollment SMS',
                           'subject': '',
                           'body': 'Enrôlez votre appareil : {{ activation_url }} OTP : {{ otp }}'},
        'otp_reset': {'channel': 'email',
                      'name': 'New OTP for User',
                      'subject': "Nouveau mot de passe à usage unique (OTP) pour l'enrôlement de votre appareil",
                      'body': 'Bonjour {{ username }},\n'
                              '\n'
                              "Votre service d'assistance a attribué un nouveau mot de passe à usage unique (OTP) "
                              "à l'enrôlement en attente de votre appareil ; l'ancien ne fonctionne plus. Pour "
                              "terminer l'enrôlement, ouvrez ce lien sur l'appareil :\n"
                              '\n'
                              '{{ activation_url }}\n'
                              '\n'
                              'Votre nouvel OTP : {{ otp }}\n'
                              'Expiration : {{ expires }}\n'
                              '\n'
                              "Si vous n'attendiez pas ce message, contactez votre service d'assistance.\n"},
        'qr_user': {'channel': 'email',
                    'name': 'QR-Code for User',
                    'subject': "Votre QR-Code d'enrôlement Android",
                    'body': 'Bonjour {{ username }},\n'
                            '\n'
                            "Un administrateur a créé pour votre appareil un QR-Code d'enrôlement Android "
                            'Enterprise. Il est joint à cet e-mail.\n'
                            '\n'
                            "Pour enrôler un appareil Android neuf ou réinitialisé aux paramètres d'usine :\n"
                            "1. Allumez l'appareil et restez sur son écran d'accueil.\n"
                            "2. Touchez six fois le même endroit de l'écran d'accueil : le lecteur de QR-Code "
                            "s'ouvre.\n"
                            "3. Scannez le QR-Code joint et suivez la configuration. L'appareil se connecte, "
                            "installe l'application Companion et s'enrôle de lui-même pour {{ username }}.\n"
                            '\n'
                            "Ce code permet d'enrôler jusqu'à {{ usage_count }} appareil(s). Expiration de son mot "
                            'de passe à usage unique (OTP) : {{ expires }}.\n'
                            'Gardez ce code confidentiel : il contient le mot de passe à usage unique de '
                            "l'appareil et peut contenir un mot de passe Wi-Fi.\n"},
        'qr_alternative': {'channel': 'email',
                           'name': 'QR-Code for Alternative Address',
                           'subject': "Un QR-Code d'enrôlement Android pour {{ username }}",
                           'body': 'Bonjour,\n'
                                   '\n'
                                   "Un administrateur a créé un QR-Code d'enrôlement Android Enterprise pour un "
                                   "appareil de {{ username }} et a demandé qu'il soit envoyé à cette adresse. Il "
                                   'est joint à cet e-mail.\n'
                                   '\n'
                                   "Pour enrôler un appareil Android neuf ou réinitialisé aux paramètres d'usine "
                                   ':\n'
                                   "1. Allumez l'appareil et restez sur son écran d'accueil.\n"
                                   "2. Touchez six fois le même endroit de l'écran d'accueil : le lecteur de "
                                   "QR-Code s'ouvre.\n"
                                   "3. Scannez le QR-Code joint et suivez la configuration. L'appareil se "
                                   "connecte, installe l'application Companion et s'enrôle de lui-même pour {{ "
                                   'username }}.\n'
                                   '\n'
                                   "Ce code permet d'enrôler jusqu'à {{ usage_count }} appareil(s). Expiration de "
                                   'son mot de passe à usage unique (OTP) : {{ expires }}.\n'
                                   'Gardez ce code confidentiel : il contient le mot de passe à usage unique de '
                                   "l'appareil et peut contenir un mot de passe Wi-Fi.\n"}},
 'it': {'user_provisioned': {'channel': 'email',
                             'name': 'Admin Provisioned a Device Notification for User',
                             'subject': 'Un amministratore ha predisposto un dispositivo per Lei',
                             'body': 'Gentile {{ username }},\n'
                                     '\n'
                                     'un amministratore ha predisposto un dispositivo per Lei. Per completare la '
                                     'registrazione, apra questo link sul dispositivo:\n'
                                     '\n'
                                     '{{ activation_url }}\n'
                                     '\n'
                                     'La Sua password monouso (OTP): {{ otp }}\n'
                                     'Scadenza: {{ expires }}\n'
                                     '\n'
                                     'Se non si aspettava questo messaggio, contatti il Suo helpdesk.\n'},
        'enrollment_sms': {'channel': 'sms',
                           'name': 'Enrollment SMS',
                           'subject': '',
                           'body': 'Registri il Suo dispositivo: {{ activation_url }} OTP: {{ otp }}'},
        'otp_reset': {'channel': 'email',
                      'name': 'New OTP for User',
                      'subject': 'Nuova password monouso (OTP) per la registrazione del Suo dispositivo',
                      'body': 'Gentile {{ username }},\n'
                              '\n'
                              'il Suo helpdesk ha assegnato una nuova password monouso (OTP) alla registrazione in '
                              'sospeso del Suo dispositivo; quella precedente non è più valida. Per completare la '
                              'registrazione, apra questo link sul dispositivo:\n'
                              '\n'
                              '{{ activation_url }}\n'
                              '\n'
                              'Il Suo nuovo OTP: {{ otp }}\n'
                              'Scadenza: {{ expires }}\n'
                              '\n'
                              'Se non si aspettava questo messaggio, contatti il Suo helpdesk.\n'},
        'qr_user': {'channel': 'email',
                    'name': 'QR-Code for User',
                    'subject': 'Il Suo QR-Code per la registrazione Android',
                    'body': 'Gentile {{ username }},\n'
                            '\n'
                            'un amministratore ha creato per il Suo dispositivo un QR-Code di registrazione '
                            'Android Enterprise, che trova allegato a questa e-mail.\n'
                            '\n'
                            'Per registrare un dispositivo Android nuovo o ripristinato alle impostazioni di '
                            'fabbrica:\n'
                            '1. Accenda il dispositivo e rimanga sulla schermata di benvenuto.\n'
                            '2. Tocchi sei volte lo stesso punto della schermata di benvenuto: si apre il lettore '
                            'di QR-Code.\n'
                            '3. Scansioni il QR-Code allegato e segua la configurazione. Il dispositivo si '
                            "connette, installa l'app Companion e si registra automaticamente per {{ username }}.\n"
                            '\n'
                            'Il codice consente di registrare fino a {{ usage_count }} dispositivo/i. Scadenza '
                            'della password monouso (OTP): {{ expires }}.\n'
                            'Conservi il codice in modo riservato: contiene la password monouso del dispositivo e '
                            'può contenere una password Wi-Fi.\n'},
        'qr_alternative': {'channel': 'email',
                           'name': 'QR-Code for Alternative Address',
                           'subject': 'Un QR-Code per la registrazione Android di {{ username }}',
                           'body': 'Buongiorno,\n'
                                   '\n'
                                   'un amministratore ha creato un QR-Code di registrazione Android Enterprise per '
                                   'un dispositivo di {{ username }} e ha chiesto di inviarlo a questo indirizzo. '
                                   'Lo trova allegato a questa e-mail.\n'
                                   '\n'
                                   'Per registrare un dispositivo Android nuovo o ripristinato alle impostazioni '
                                   'di fabbrica:\n'
                                   '1. Accenda il dispositivo e rimanga sulla schermata di benvenuto.\n'
                                   '2. Tocchi sei volte lo stesso punto della schermata di benvenuto: si apre il '
                                   'lettore di QR-Code.\n'
                                   '3. Scansioni il QR-Code allegato e segua la configurazione. Il dispositivo si '
                                   "connette, installa l'app Companion e si registra automaticamente per {{ "
                                   'username }}.\n'
                                   '\n'
                                   'Il codice consente di registrare fino a {{ usage_count }} dispositivo/i. '
                                   'Scadenza della password monouso (OTP): {{ expires }}.\n'
                                   'Conservi il codice in modo riservato: contiene la password monouso del '
                                   'dispositivo e può contenere una password Wi-Fi.\n'}}}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for language, templates in TEMPLATES.items():
        for key, fields in templates.items():
            MessageTemplate.objects.get_or_create(key=key, language=language, defaults=fields)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("notifications", "MessageTemplate").objects.exclude(language="en").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0007_list_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='messagetemplate',
            name='language',
            field=models.CharField(choices=[('en', 'English'), ('de', 'German'), ('fr', 'French'), ('it', 'Italian')], default='en', max_length=8, verbose_name='Language'),
        ),
        migrations.AlterField(
            model_name='messagetemplate',
            name='key',
            field=models.CharField(choices=[('admin_provisioned', 'Admin Provisioned a Device Notification'), ('user_provisioned', 'Admin Provisioned a Device Notification for User'), ('enrollment_sms', 'Enrollment SMS'), ('otp_reset', 'New OTP for User'), ('qr_user', 'QR-Code for User'), ('qr_alternative', 'QR-Code for Alternative Address')], max_length=40),
        ),
        migrations.AddConstraint(
            model_name='messagetemplate',
            constraint=models.UniqueConstraint(fields=('key', 'language'), name='template_unique_key_language'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
