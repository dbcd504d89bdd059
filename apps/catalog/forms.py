"""Forms of the product page's in-place editors. They check the shape of the input only;
``apps.catalog.actions`` owns permissions and the domain rules."""

from django import forms
from django.contrib.auth import get_user_model

from apps.catalog.models import Classification, Lifecycle, OwnershipRole, PortDirection, PortProtocol, Team


class RevisionForm(forms.Form):
    """Carries the product revision the editor loaded, for optimistic concurrency."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ProductDetailsForm(RevisionForm):
    name = forms.CharField(max_length=200)
    summary = forms.CharField(
        max_length=300, required=False, help_text="One sentence shown in search results and lists."
    )
    lifecycle = forms.ChoiceField(choices=Lifecycle.choices)
    classification = forms.ChoiceField(choices=Classification.choices)
    tags = forms.CharField(required=False, max_length=1000, help_text="Comma-separated, e.g. finance, gold.")

    def clean_tags(self):
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]


class DescriptionForm(RevisionForm):
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=100_000,
        help_text="Markdown. Links, tables and code blocks work; HTML is shown as text.",
    )


class OwnerForm(forms.Form):
    holder = forms.CharField(max_length=150, label="User name or team slug")
    role = forms.ChoiceField(choices=OwnershipRole.choices)

    def clean_holder(self):
        value = self.cleaned_data["holder"].strip()
        user = get_user_model().objects.filter(username=value).first()
        team = None if user else Team.objects.filter(slug=value).first()
        if user is None and team is None:
            raise forms.ValidationError(f"No user or team called '{value}'.")
        self.cleaned_data["user"], self.cleaned_data["team"] = user, team
        return value


class PortForm(forms.Form):
    name = forms.CharField(max_length=200)
    direction = forms.ChoiceField(choices=PortDirection.choices)
    protocol = forms.ChoiceField(choices=PortProtocol.choices)
    format = forms.CharField(max_length=50, required=False)
    endpoint = forms.CharField(
        max_length=500, required=False, help_text="Non-secret address, e.g. postgres://warehouse:5432/analytics"
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    datasets = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    upstream_port = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is acceptable here; the action refuses ids that do not exist.
        raw = self.data.getlist("datasets") if hasattr(self.data, "getlist") else []
        self.fields["datasets"].choices = [(v, v) for v in raw if str(v).isdigit()]
