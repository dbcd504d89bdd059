"""The source form: JSON config checked by the harvester kind, write-only secrets."""

import json

from django import forms

from apps.harvest.harvesters.base import harvester_registry


def _json_field(label: str, help_text: str, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "mono"}),
    )


class SourceForm(forms.Form):
    """Shape of the input only; ``apps.harvest.actions`` validates the config for the kind."""

    name = forms.SlugField(max_length=100, help_text="A short slug, e.g. warehouse-prod.")
    kind = forms.ChoiceField(choices=())
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    config = _json_field(
        "Configuration (JSON)",
        "Filled from the fields above for the chosen kind; edit it directly for keys the fields do not cover.",
        required=True,
    )
    secrets = _json_field(
        "Secrets (JSON, write-only)",
        'e.g. {"password": "…"}. Leave empty to keep the stored secrets; set a key to "" to remove it. Never shown again.',
    )
    schedule = forms.CharField(
        required=False, max_length=100, help_text="Five-field cron, e.g. 0 3 * * * — empty for manual harvests only."
    )
    mapping_rules = _json_field(
        "Mapping rules (JSON list)", 'e.g. [{"schema": "sales*", "domain": "sales", "product": "orders"}]'
    )
    enabled = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, k) for k in sorted(harvester_registry)]
        if editing:
            self.fields["name"].disabled = True
            self.fields["kind"].disabled = True

    def _parse(self, name: str, expected: type, empty):
        raw = (self.cleaned_data.get(name) or "").strip()
        if not raw:
            return empty
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from None
        if not isinstance(value, expected):
            raise forms.ValidationError(f"Expected a JSON {'object' if expected is dict else 'list'}.")
        return value

    def clean_config(self):
        return self._parse("config", dict, {})

    def clean_secrets(self):
        return self._parse("secrets", dict, None)

    def clean_mapping_rules(self):
        return self._parse("mapping_rules", list, [])
