"""The words that mark each category in column names (en, de, fr, es, it, nl, pt, pl, sv)."""

from dataclasses import dataclass

from apps.privacy.categories import Category


def _w(text: str) -> frozenset:
    return frozenset(text.split())


# --- name rules --------------------------------------------------------------------------


@dataclass(frozen=True)
class NameRule:
    """A category's words: any one of ``words`` (a whole word of the name) or ``phrases``
    (consecutive words) marks it, unless one of ``unless`` is also a word of the name."""

    category: str
    rule: str
    confidence: float
    words: frozenset = frozenset()
    phrases: tuple[tuple[str, ...], ...] = ()
    unless: frozenset = frozenset()


# Words that turn a personal-data word into something about it: a flag, a count, a
# status, a template, an id of another thing (``email_sent``, ``phone_verified``).
_ABOUT = frozenset(
    [
        "sent",
        "send",
        "sends",
        "opt",
        "optin",
        "optout",
        "opted",
        "in",
        "out",
        "verified",
        "verify",
        "validated",
        "valid",
        "confirmed",
        "is",
        "has",
        "flag",
        "flags",
        "count",
        "counts",
        "cnt",
        "num",
        "number_of",
        "total",
        "status",
        "type",
        "types",
        "template",
        "templates",
        "campaign",
        "campaigns",
        "bounced",
        "bounce",
        "opened",
        "clicked",
        "unsubscribed",
        "subscribed",
        "consent",
        "consents",
        "enabled",
        "disabled",
        "allowed",
        "provider",
        "domain",
        "format",
        "length",
        "len",
        "hash",
        "hashed",
        "sha",
        "md5",
        "salt",
        "token",
        "masked",
        "mask",
        "encrypted",
        "anonymised",
        "anonymized",
        "pseudonymised",
        "pseudonymized",
        "changed",
        "updated",
        "created",
        "at",
        "on",
        "date",
        "time",
        "ts",
        "last",
        "first_seen",
        "preferred",
        "preference",
        "preferences",
        "code",
        "prefix",
        "country_code",
        "ext",
        "extension",
        "sequence",
        "seq",
        "frequency",
        "score",
        "rank",
    ]
)
_ID = _w("id ids key fk sk no nr num number ref code uuid guid")

NAME_RULES: tuple[NameRule, ...] = (
    NameRule(
        Category.EMAIL,
        "name:email",
        0.8,
        words=_w("email emailaddress mail courriel correo mailadresse emailadresse"),
        unless=_ABOUT | {"ip", "server", "host", "list", "lists", "queue", "box", "mailbox"},
    ),
    NameRule(
        Category.PHONE,
        "name:phone",
        0.8,
        words=_w(
            "phone telephone tel mobile cell cellphone handy telefon telefono telefone telefoon telephon "
            "portable msisdn fax phonenumber mobil telefonnummer numero_telephone"
        ),
        unless=_ABOUT - {"number", "code"} | {"model", "plan", "carrier", "os", "app"},
    ),
    NameRule(
        Category.NAME,
        "name:person_name",
        0.8,
        words=_w(
            "firstname lastname fullname surname forename givenname familyname vorname nachname prenom "
            "nombre apellido apellidos cognome achternaam voornaam nome sobrenome imie nazwisko fornamn "
            "efternamn middlename maidenname"
        ),
        phrases=(
            ("first", "name"),
            ("last", "name"),
            ("full", "name"),
            ("given", "name"),
            ("family", "name"),
            ("middle", "name"),
            ("maiden", "name"),
            ("customer", "name"),
            ("contact", "name"),
            ("person", "name"),
            ("employee", "name"),
            ("patient", "name"),
            ("holder", "name"),
            ("cardholder", "name"),
            ("recipient", "name"),
            ("sender", "name"),
            ("display", "name"),
            ("nom", "famille"),
            ("nom",),
            ("name", "first"),
            ("name", "last"),
        ),
        unless=_ABOUT - {"first", "last"}
        | {
            "product",
            "company",
            "file",
            "table",
            "schema",
            "column",
            "brand",
            "street",
            "city",
            "country",
            "domain",
            "host",
            "event",
            "campaign",
        },
    ),
    NameRule(
        Category.ADDRESS,
        "name:address",
        0.75,
        words=_w(
            "address addr street streetaddress adresse strasse straße calle direccion indirizzo adres straat "
            "rua endereco postcode postalcode zipcode zip plz housenumber hausnummer address1 address2 "
            "addressline ulica"
        ),
        phrases=(("postal", "code"), ("address", "line"), ("house", "number"), ("code", "postal")),
        unless=_ABOUT - {"code", "number", "type"}
        | {
            "ip",
            "email",
            "mac",
            "memory",
            "mail",
            "web",
            "url",
            "wallet",
            "contract",
            "server",
            "host",
            "remote",
            "network",
        },
    ),
    NameRule(
        Category.NATIONAL_ID,
        "name:national_id",
        0.8,
        words=_w(
            "ssn nino nin passport passportnumber bsn dni nie nif nir pesel personnummer steuerid "
            "steueridentifikationsnummer codicefiscale insee cpf taxid tin idnr sozialversicherungsnummer "
            "svnr personalausweis"
        ),
        phrases=(
            ("social", "security"),
            ("national", "id"),
            ("national", "identifier"),
            ("tax", "id"),
            ("tax", "number"),
            ("codice", "fiscale"),
            ("id", "card"),
            ("identity", "card"),
            ("passport", "no"),
            ("driver", "license"),
            ("drivers", "license"),
            ("driving", "licence"),
        ),
        unless=_ABOUT - {"number", "no"},
    ),
    NameRule(
        Category.PAYMENT_CARD,
        "name:payment_card",
        0.85,
        words=_w("pan ccnumber cardnumber creditcard kreditkarte kreditkartennummer tarjeta cartebancaire cc"),
        phrases=(
            ("card", "number"),
            ("credit", "card"),
            ("card", "no"),
            ("card", "num"),
            ("cc", "number"),
            ("debit", "card"),
            ("numero", "carte"),
            ("carte", "bancaire"),
        ),
        unless=_ABOUT - {"number", "no", "num"}
        | {
            "gift",
            "loyalty",
            "sim",
            "score",
            "report",
            "id_card",
            "last4",
            "last_four",
            "brand",
            "bin",
            "expiry",
            "exp",
        },
    ),
    NameRule(
        Category.IBAN,
        "name:iban",
        0.85,
        words=_w("iban rekeningnummer kontonummer bankaccount bic_iban"),
        phrases=(("bank", "account"), ("account", "iban"), ("numero", "cuenta")),
        unless=_ABOUT - {"number", "no"} | {"type", "name", "id", "bank_name", "country"},
    ),
    NameRule(
        Category.DATE_OF_BIRTH,
        "name:date_of_birth",
        0.85,
        words=_w(
            "dob birthdate birthday dateofbirth geburtsdatum geburtstag naissance nacimiento nascita "
            "geboortedatum fodelsedatum birth"
        ),
        phrases=(("date", "of", "birth"), ("birth", "date"), ("born", "on"), ("data", "nascita")),
        unless=_w("place country city year_only count rate weight certificate"),
    ),
    NameRule(
        Category.IP_ADDRESS,
        "name:ip_address",
        0.85,
        words=_w("ip ipaddress ipv4 ipv6 ipaddr remoteaddr clientip remote_ip"),
        phrases=(("remote", "addr"), ("remote", "address"), ("client", "address"), ("ip", "address")),
        unless=_w("count range country geo version type block allowlist pool"),
    ),
    NameRule(
        Category.LOCATION,
        "name:location",
        0.75,
        words=_w(
            "latitude longitude lat lon lng long_deg geolocation coordinates coords gps geopoint geo "
            "breitengrad laengengrad latlng latlon"
        ),
        unless=_w("country region zone count type precision accuracy hash geohash cell grid lat_bucket"),
    ),
    NameRule(
        Category.FREE_TEXT,
        "name:free_text",
        0.6,
        words=_w(
            "notes note comment comments remark remarks message messages feedback freetext bemerkung "
            "bemerkungen kommentar commentaire comentario commento opmerking observaciones memo transcript "
            "complaint"
        ),
        phrases=(("free", "text"), ("support", "message"), ("chat", "text")),
        unless=_ABOUT | {"id", "ids", "system", "release", "commit", "error", "log", "internal_code"},
    ),
    NameRule(
        Category.CUSTOMER_ID,
        "name:customer_id",
        0.8,
        words=_w("customerid custid kundennummer kundenid clientid_customer customerno"),
        phrases=(
            ("customer", "id"),
            ("cust", "id"),
            ("customer", "key"),
            ("customer", "number"),
            ("customer", "no"),
            ("client", "number"),
            ("kunde", "id"),
            ("kunden", "id"),
            ("client", "id"),
            ("id", "client"),
            ("id", "cliente"),
            ("cliente", "id"),
            ("klant", "id"),
        ),
        unless=_w("count hash hashed segment type group tier cohort"),
    ),
    NameRule(
        Category.USER_ID,
        "name:user_id",
        0.8,
        words=_w("userid uid accountholder_id"),
        phrases=(
            ("user", "id"),
            ("member", "id"),
            ("user", "key"),
            ("person", "id"),
            ("subscriber", "id"),
            ("account", "holder", "id"),
            ("benutzer", "id"),
            ("utilisateur", "id"),
            ("id", "utilisateur"),
            ("id", "usuario"),
            ("usuario", "id"),
            ("patient", "id"),
            ("employee", "id"),
        ),
        unless=_w("count hash hashed agent type group role segment"),
    ),
)

# A bare ``name`` is a person's name only in a table of persons.
PERSON_TABLES = frozenset(
    [
        "customer",
        "customers",
        "user",
        "users",
        "person",
        "persons",
        "people",
        "employee",
        "employees",
        "contact",
        "contacts",
        "member",
        "members",
        "patient",
        "patients",
        "client",
        "clients",
        "kunde",
        "kunden",
        "subscriber",
        "subscribers",
        "account_holder",
        "holders",
        "recipient",
        "recipients",
        "student",
        "students",
        "staff",
        "lead",
        "leads",
    ]
)
