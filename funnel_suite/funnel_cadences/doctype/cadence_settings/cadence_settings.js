// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.ui.form.on("Cadence Settings", {
	refresh(frm) {
		if (!frappe.user.has_role("System Manager") || !frm.doc.telegram_inbound_enabled) {
			return;
		}
		frm.add_custom_button(__("Register Telegram Webhook"), () => {
			if (frm.is_dirty()) {
				frappe.msgprint(__("Save the settings first."));
				return;
			}
			frappe
				.call({ method: "funnel_suite.api.register_telegram_webhook", freeze: true })
				.then((r) => {
					frm.reload_doc();
					frappe.msgprint(
						__("Telegram now sends the bot's messages to {0}.", [
							frappe.utils.escape_html(r.message.url),
						])
					);
				});
		});
	},
});
