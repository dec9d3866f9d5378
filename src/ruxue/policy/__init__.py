"""The pure admission policy: the rules, their explanations, the policy files and the facts
the rules read. Imports only kit, cases, person and exchange (and reference data)."""
