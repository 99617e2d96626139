"""Message use cases, one module per kind of change (the GraphQL mutations call them):

- send: one `do_send_message` for conversations and topics, the destination's rules included
- content: attachments, labels, translations and parameters, parsed tags/mentions/urls (every write)
- edit_delete: edit, delete with Tat's cascade modes; tombstones: conversation deletes that keep threads
- tat: Tat's actions on a referenced message (like, vote, label, move, task)
- reactions: emoji reactions
- bulk: mark read and label many messages at once
- refs: a MessageRef (id, tag, label) resolved to the message it names
"""
