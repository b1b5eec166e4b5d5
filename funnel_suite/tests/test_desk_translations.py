"""The app's labels in Russian and Ukrainian are the app's own, even where Frappe/ERPNext has one."""

import frappe
import frappe.translate
from frappe.gettext.translate import _compile_translation
from frappe.translate import get_all_translations

from funnel_suite.tests.utils import FunnelTestCase


def compiled_catalogue(lang: str) -> dict[str, str]:
	"""The merged translations of `lang` with this checkout's catalogue compiled (the test command
	compiles it too: compile-po-to-mo; the bench keeps one compiled copy for every checkout, so it
	is compiled again here), the cached merge dropped first."""
	_compile_translation("funnel_suite", lang, force=True)
	frappe.translate.clear_cache()
	return get_all_translations(lang)


class TestDeskTranslations(FunnelTestCase):
	def test_the_archived_checkbox_on_the_lead_reads_as_the_apps_label(self):
		field = frappe.get_meta("Lead").get_field("funnel_archived")
		self.assertEqual(field.label, "Archived")
		for lang, expected in (("uk", "В архіві"), ("ru", "В архиве")):
			with self.subTest(lang=lang):
				catalogue = compiled_catalogue(lang)
				# the desk translates a field label as __(label, null, doctype)
				self.assertEqual(frappe._(field.label, lang=lang, context=field.parent), expected)
				self.assertEqual(catalogue.get(f"Archived:{field.parent}"), expected)
		# the host's own screens keep the host's translation of the bare word (the language in a
		# variable: a literal second string in _() reads as a msgctxt to the POT extractor)
		host_lang = "uk"
		self.assertNotEqual(frappe._("Archived", lang=host_lang), "В архіві")

	def test_the_funnel_stage_kind_open_is_the_stage_kind_not_the_verb(self):
		compiled_catalogue("ru")
		self.assertEqual(frappe._("Open", lang="ru", context="Funnel Stage"), "Открыт")
		for doctype in ("Planned Contact", "Cadence Enrollment Step"):
			self.assertEqual(frappe._("Skipped", lang="uk", context=doctype), "Пропущено")
