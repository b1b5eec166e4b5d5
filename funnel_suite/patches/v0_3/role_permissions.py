"""Funnel Intake (the intake's service role) and what the app's roles may do on host doctypes."""

from funnel_suite.install import create_role_permissions, create_roles


def execute():
	create_roles()
	create_role_permissions()
