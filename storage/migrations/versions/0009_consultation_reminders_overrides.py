"""consultations: reminders sent, and an objection passed over (who, when, why)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 20:45:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('consultations') as batch:
        batch.add_column(sa.Column('reminders', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('overridden_by', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('overridden_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('override_reason', sa.Text(), nullable=True))
        batch.create_foreign_key(
            'fk_consultations_overridden_by_users', 'users', ['overridden_by'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('consultations') as batch:
        batch.drop_constraint('fk_consultations_overridden_by_users', type_='foreignkey')
        batch.drop_column('override_reason')
        batch.drop_column('overridden_at')
        batch.drop_column('overridden_by')
        batch.drop_column('reminded_at')
        batch.drop_column('reminders')
