"""Model rows read with a statement built once per shape. A partner booking reads its partner, its item and
its earlier booking by external id, each by a key; building each of those querysets anew through the ORM
cost more CPU than running it. The statement is made from the model's own table and column names and its
values go through the same database and field converters as the ORM's, so the instances are the same as
`Model.objects.filter(...)` would give."""

from __future__ import annotations

import functools

from django.db import connection


def select(model, *, where: dict, for_update: bool = False, lock_timeout: str | None = None,
           limit: int | None = None) -> list:
    """Rows of `model` whose fields equal `where` (a list or tuple value means IN), ordered by primary key.
    `for_update` locks them; `lock_timeout` (e.g. "3s") is set for the rest of the transaction in the same
    statement, before any row waits (PostgreSQL only)."""
    names = tuple((name, len(value) if isinstance(value, list | tuple) else 0) for name, value in where.items())
    if any(count == 0 and isinstance(where[name], list | tuple) for name, count in names):
        return []  # IN () matches nothing
    sql, attnames = _statement(model, connection.vendor, names, for_update, lock_timeout is not None, limit)
    params = [lock_timeout] if lock_timeout is not None else []
    for value in where.values():
        params.extend(value if isinstance(value, list | tuple) else [value])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if not fetched:
        return []
    converters = _converters(model, connection.vendor)
    rows = []
    for row in fetched:
        values = list(row)
        for index, field, functions in converters:
            for convert in functions:
                values[index] = convert(values[index], field, connection)
        rows.append(model.from_db(connection.alias, attnames, values))
    return rows


@functools.lru_cache(maxsize=256)
def _statement(model, vendor: str, where: tuple, for_update: bool, lock_timeout: bool, limit: int | None):
    quote = connection.ops.quote_name
    meta = model._meta
    table = quote(meta.db_table)
    fields = meta.concrete_fields
    columns = ", ".join(f"{table}.{quote(field.column)}" for field in fields)
    conditions = []
    for name, count in where:
        column = f"{table}.{quote((meta.pk if name == 'pk' else meta.get_field(name)).column)}"
        conditions.append(f"{column} IN ({', '.join(['%s'] * count)})" if count else f"{column} = %s")
    sql = f"SELECT {columns} FROM {table} WHERE {' AND '.join(conditions) or '1 = 1'} " \
          f"ORDER BY {table}.{quote(meta.pk.column)}"
    if lock_timeout:
        # The rows are joined with a CTE that sets the timeout (a volatile CTE is always run), so it is in force
        # before the first row waits for its lock.
        sql = (f"WITH lock_timeout AS (SELECT set_config('lock_timeout', %s, true)) "
               f"SELECT {columns} FROM {table}, lock_timeout WHERE {' AND '.join(conditions)} "
               f"ORDER BY {table}.{quote(meta.pk.column)}")
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    if for_update and connection.features.has_select_for_update:
        sql += f" FOR UPDATE OF {table}" if lock_timeout else " FOR UPDATE"
    return sql, [field.attname for field in fields]


@functools.lru_cache(maxsize=64)
def _converters(model, vendor: str) -> list:
    """(column index, column, converters) of the fields whose database values need converting. The
    backends' converters depend on the database kind and the settings, not on the connection's state."""
    result = []
    for index, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        functions = [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]
        if functions:
            result.append((index, column, functions))
    return result


def first(model, **where):
    """The first row (by primary key) of `model` whose fields equal `where`, or None."""
    found = select(model, where=where, limit=1)
    return found[0] if found else None


def insert(instance) -> None:
    """INSERT a new instance (its primary key set from RETURNING), as `instance.save(force_insert=True)`
    does for a model without a parent or an explicit primary key, with a statement built once per model:
    every booking writes three rows (the booking, its history, its event). Values are prepared by the fields
    themselves (pre_save, get_db_prep_save). No signal is connected to these models' saves; this sends none."""
    model = type(instance)
    meta = model._meta
    if meta.parents or getattr(instance, meta.pk.attname) is not None \
            or not connection.features.can_return_columns_from_insert:
        instance.save(force_insert=True)
        return
    sql, fields = _insert_statement(model, connection.vendor)
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection=connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pk = cursor.fetchone()[0]
    setattr(instance, meta.pk.attname, pk)
    instance._state.adding = False
    instance._state.db = connection.alias


@functools.lru_cache(maxsize=64)
def _insert_statement(model, vendor: str):
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [field for field in meta.local_concrete_fields
              if field is not meta.auto_field and not getattr(field, "generated", False)]
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(meta.pk.column)}")
    return sql, fields
