"""Every authorization rule: who may read or change what, the SQL form beside the in-memory one."""
