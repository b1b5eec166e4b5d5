from funnel_suite.install import create_card_fields, create_roles


def execute():
	create_roles()
	create_card_fields()
