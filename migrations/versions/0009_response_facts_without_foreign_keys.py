"""response facts without foreign keys: a trigger on conversations deletes a deleted response's facts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 06:05:00
"""
from alembic import op

revision = '0009'
# Issue #14: a cold rebuild writes a million facts; checking their two foreign keys (one trigger
# call per row and key) took a third of it. Facts are derived data: the conversation's deletion,
# however it comes (erasure, merge, a consultation deleted by hand), removes them by this trigger.
down_revision = '0008'
branch_labels = None
depends_on = None

# PostgreSQL: once per DELETE statement, over the deleted rows (a transition table), not per row.
POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION palabre_forget_response_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM response_facts AS f USING deleted_conversations AS d WHERE f.conversation_id = d.id;
    RETURN NULL;
END
$$
"""
POSTGRESQL_TRIGGER = """
CREATE TRIGGER conversations_forget_response_facts AFTER DELETE ON conversations
REFERENCING OLD TABLE AS deleted_conversations FOR EACH STATEMENT EXECUTE FUNCTION palabre_forget_response_facts()
"""
# SQLite runs it for rows deleted by a cascade too (a consultation's or participant's conversations).
# A later batch_alter_table on `conversations` recreates that table on SQLite without its triggers:
# such a migration must create this one again (tests/palabre/test_erasure.py notices).
SQLITE_TRIGGER = """
CREATE TRIGGER conversations_forget_response_facts AFTER DELETE ON conversations
BEGIN DELETE FROM response_facts WHERE conversation_id = OLD.id; END
"""


def upgrade() -> None:
    with op.batch_alter_table('response_facts', schema=None) as batch_op:
        batch_op.drop_constraint('fk_response_facts_consultation_id_consultations', type_='foreignkey')
        batch_op.drop_constraint('fk_response_facts_conversation_id_conversations', type_='foreignkey')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade() -> None:
    op.execute('DROP TRIGGER IF EXISTS conversations_forget_response_facts' +
               (' ON conversations' if op.get_bind().dialect.name == 'postgresql' else ''))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS palabre_forget_response_facts()')
    # Facts of conversations deleted meanwhile would break the keys: they are derived, drop them.
    op.execute('DELETE FROM response_facts WHERE conversation_id NOT IN (SELECT id FROM conversations)'
               ' OR consultation_id NOT IN (SELECT id FROM consultations)')
    with op.batch_alter_table('response_facts', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_response_facts_consultation_id_consultations'), 'consultations',
                                    ['consultation_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_response_facts_conversation_id_conversations'), 'conversations',
                                    ['conversation_id'], ['id'], ondelete='CASCADE')
