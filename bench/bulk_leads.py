"""Top a bench database up to N leads fast: set-based INSERT … SELECT generate_series in PostgreSQL, no Python rows.

Used by bench/lead_list.py after ``seed_demo`` made the people, the team, the sources and the tags. Leads are
marked ``external_ref = 'bench-<n>'`` so a second run only adds what is missing (idempotent, reusable between runs).
Each lead gets a phone (and 70 % an e-mail), 0–2 tags, a 'created' event and, for a third, an inbound message;
each consultant gets ~500 active assignments with a score (the queue's working set, as the roulette caps it).
Names, cities and accents are Brazilian ("João", "Conceição", "São Paulo") so accent-insensitive search is real.
"""

from __future__ import annotations

FIRST = [
    "João", "José", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro", "Lucas", "Luiz", "Marcos", "Luís", "Gabriel",
    "Rafael", "Daniel", "Marcelo", "Bruno", "Eduardo", "Felipe", "Raimundo", "Rodrigo", "Maria", "Ana", "Francisca",
    "Antônia", "Adriana", "Juliana", "Márcia", "Fernanda", "Patrícia", "Aline", "Sandra", "Camila", "Amanda",
    "Bruna", "Jéssica", "Letícia", "Júlia", "Luciana", "Vanessa", "Mariana", "Flávia", "Cláudia", "Sônia", "Inês",
    "Otávio", "Vitória", "Caio", "Heloísa", "Ícaro", "Conceição",
]  # fmt: skip
LAST = [
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes", "Costa",
    "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa", "Rocha",
    "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas", "Cardoso",
    "Ramos", "Gonçalves", "Santana", "Teixeira", "Araújo", "Conceição", "Brandão", "Simões", "Falcão", "Assunção",
    "Magalhães", "Guimarães", "Patrício", "Estêvão", "Romão", "Leão", "Sebastião", "Galvão", "Camões",
]  # fmt: skip
CITIES = [
    ("São Paulo", "SP", "11"), ("Campinas", "SP", "19"), ("Ribeirão Preto", "SP", "16"), ("Santos", "SP", "13"),
    ("São José dos Campos", "SP", "12"), ("Rio de Janeiro", "RJ", "21"), ("Niterói", "RJ", "21"),
    ("Belo Horizonte", "MG", "31"), ("Uberlândia", "MG", "34"), ("Curitiba", "PR", "41"), ("Maringá", "PR", "44"),
    ("Porto Alegre", "RS", "51"), ("Florianópolis", "SC", "48"), ("Salvador", "BA", "71"), ("Recife", "PE", "81"),
    ("Fortaleza", "CE", "85"), ("Goiânia", "GO", "62"), ("Brasília", "DF", "61"), ("Belém", "PA", "91"),
    ("Vitória", "ES", "27"), ("Maceió", "AL", "82"), ("São Luís", "MA", "98"), ("Cuiabá", "MT", "65"),
    ("Jundiaí", "SP", "11"),
]  # fmt: skip
# Stage by weight: cumulative thousandths of the base.
STAGES = [("new", 300), ("contacted", 500), ("qualified", 620), ("meeting", 700), ("proposal", 760), ("won", 820),
          ("lost", 920), ("nurturing", 1000)]  # fmt: skip
INTEREST = ["apartment", "house", "land", "commercial", "investment", "other"]

CHUNK = 100_000


def _array(values) -> str:
    return "(ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[])"


def _stage_case(expr: str) -> str:
    whens = " ".join(f"WHEN {expr} < {limit} THEN '{stage}'" for stage, limit in STAGES)
    return f"(CASE {whens} END)"


def _leads_sql() -> str:
    # h1..h4: independent pseudo-random draws per n (hashint4 is stable across runs and servers).
    return f"""
INSERT INTO leads_lead (full_name, name_key, document, document_index, city, state, budget_min, budget_max,
    currency, interest_type, source_id, external_ref, campaign_ref, ad_ref, stage, stage_changed_at, owner_id,
    team_id, attributes, recurrence_count, priority, last_interest_at, created_at, updated_at)
SELECT f.fn || ' ' || f.ln, '', '', '', c.city, c.uf, (b.budget * 0.8)::numeric(14, 2), b.budget, 'BRL',
       (%(interest)s::text[])[1 + h.h3 %% {len(INTEREST)}],
       (%(sources)s::bigint[])[1 + n %% cardinality(%(sources)s::bigint[])],
       'bench-' || lpad(n::text, 7, '0'), '', '', s.stage, t.created_at,
       CASE WHEN s.stage = 'new' AND h.h4 %% 10 < 4 THEN NULL
            ELSE (%(consultants)s::int[])[1 + n %% cardinality(%(consultants)s::int[])] END,
       %(team)s, '{{}}'::jsonb, 1 + (h.h4 %% 8 = 0)::int, 0, t.created_at, t.created_at, t.created_at
FROM generate_series(%(start)s, %(stop)s) AS n
CROSS JOIN LATERAL (SELECT abs(hashint4(n)) AS h1, abs(hashint4(n + 7919)) AS h2, abs(hashint4(n + 104729)) AS h3,
                           abs(hashint4(n + 1299709)) AS h4) h
CROSS JOIN LATERAL (SELECT {_array(FIRST)}[1 + h.h1 %% {len(FIRST)}] AS fn,
                           {_array(LAST)}[1 + h.h2 %% {len(LAST)}] || CASE WHEN h.h3 %% 3 = 0
                               THEN ' ' || {_array(LAST)}[1 + h.h4 %% {len(LAST)}] ELSE '' END AS ln) f
CROSS JOIN LATERAL (SELECT {_array(c[0] for c in CITIES)}[1 + h.h3 %% {len(CITIES)}] AS city,
                           {_array(c[1] for c in CITIES)}[1 + h.h3 %% {len(CITIES)}] AS uf) c
CROSS JOIN LATERAL (SELECT (180 + h.h1 %% 2200) * 1000::numeric AS budget) b
CROSS JOIN LATERAL (SELECT {_stage_case("h.h2 %% 1000")} AS stage) s
CROSS JOIN LATERAL (SELECT now() - make_interval(secs => (h.h4 %% (730 * 86400))) AS created_at) t
"""


_CHILDREN_SQL = [
    # The primary phone: +55 DDD 9 XXXX XXXX, from the lead's city.
    f"""
INSERT INTO leads_contactpoint (lead_id, kind, value, is_primary, is_valid, is_whatsapp, label, created_at)
SELECT l.id, 'phone',
       '+55' || ({_array(c[2] for c in CITIES)})[array_position({_array(c[0] for c in CITIES)}, l.city::text)]
             || '9' || lpad((abs(hashint4(l.id::int + 31)) %% 100000000)::text, 8, '0'),
       true, true, true, '', l.created_at
FROM leads_lead l WHERE l.id BETWEEN %(first)s AND %(last)s AND l.external_ref LIKE 'bench-%%'
""",
    """
INSERT INTO leads_contactpoint (lead_id, kind, value, is_primary, is_valid, is_whatsapp, label, created_at)
SELECT l.id, 'email', lower(translate(split_part(l.full_name, ' ', 1), 'áâãàéêíóôõúçÁÂÃÉÍÓÔÚÇ',
       'aaaaeeiooouc')) || '.' || l.id || '@exemplo.com.br', true, true, NULL, '', l.created_at
FROM leads_lead l WHERE l.id BETWEEN %(first)s AND %(last)s AND l.external_ref LIKE 'bench-%%'
  AND abs(hashint4(l.id::int + 57)) %% 10 < 7
""",
    """
INSERT INTO leads_lead_tags (lead_id, tag_id)
SELECT l.id, (%(tags)s::bigint[])[1 + (abs(hashint4(l.id::int + k)) %% cardinality(%(tags)s::bigint[]))]
FROM leads_lead l CROSS JOIN generate_series(1, 2) k
WHERE l.id BETWEEN %(first)s AND %(last)s AND l.external_ref LIKE 'bench-%%'
  AND abs(hashint4(l.id::int + 91 * k)) %% 3 = 0
ON CONFLICT DO NOTHING
""",
    """
INSERT INTO leads_leadevent (lead_id, kind, channel, occurred_at, created_at, payload, actor_id)
SELECT l.id, 'created', 'import', l.created_at, l.created_at, '{}'::jsonb, NULL
FROM leads_lead l WHERE l.id BETWEEN %(first)s AND %(last)s AND l.external_ref LIKE 'bench-%%'
""",
    """
INSERT INTO leads_leadevent (lead_id, kind, channel, occurred_at, created_at, payload, actor_id)
SELECT l.id, 'message_in', 'whatsapp', l.created_at + interval '5 minutes', l.created_at + interval '5 minutes',
       jsonb_build_object('text', 'Olá, tenho interesse no imóvel'), NULL
FROM leads_lead l WHERE l.id BETWEEN %(first)s AND %(last)s AND l.external_ref LIKE 'bench-%%'
  AND abs(hashint4(l.id::int + 13)) %% 3 = 0
""",
]

_ASSIGNMENTS_SQL = """
WITH picked AS (
    SELECT l.id, l.owner_id, l.team_id, row_number() OVER (PARTITION BY l.owner_id ORDER BY l.created_at DESC) AS r
    FROM leads_lead l
    WHERE l.external_ref LIKE 'bench-%%' AND l.owner_id = ANY(%(consultants)s::int[])
      AND l.stage IN ('new', 'contacted', 'qualified') AND l.created_at > now() - interval '30 days'
      AND NOT EXISTS (SELECT 1 FROM assignment_assignment a WHERE a.lead_id = l.id)
)
INSERT INTO assignment_assignment (lead_id, consultant_id, team_id, kind, status, category, score, sla_minutes,
    assigned_at, due_at, first_contact_at, end_reason, reasons)
SELECT p.id, p.owner_id, p.team_id, 'roulette', 'active', (ARRAY['hot', 'warm', 'cold'])[1 + p.id %% 3],
       (p.id %% 100)::float8, 60, now() - interval '1 day', now() - interval '23 hours',
       CASE WHEN p.id %% 2 = 0 THEN now() - interval '22 hours' END, '', '{}'::jsonb
FROM picked p WHERE p.r <= 500
"""

_SCORES_SQL = """
INSERT INTO qualification_leadscore (lead_id, score, category, confidence, dimensions, factors, action, rule_tags,
    sla_minutes, config_version, segment, trend, trigger, scored_at)
SELECT a.lead_id, a.score, a.category, 0.7, '{}'::jsonb, '{}'::jsonb, 'send_material', '[]'::jsonb, 60, 1, '',
       'steady', 'created', now()
FROM assignment_assignment a
WHERE NOT EXISTS (SELECT 1 FROM qualification_leadscore s WHERE s.lead_id = a.lead_id)
"""


def bulk_leads_ensure(*, total: int, log=print) -> int:
    """Add bench leads until the base holds ``total`` leads; returns how many were added."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from assignment.models import Team
    from leads.models import Lead, LeadSource, Tag

    have = Lead.objects.count()
    missing = total - have
    if missing <= 0:
        return 0
    consultants = list(
        get_user_model().objects.filter(username__startswith="consultant").order_by("pk").values_list("pk", flat=True)
    )
    team = Team.objects.order_by("pk").values_list("pk", flat=True).first()
    params = {
        "consultants": consultants,
        "team": team,
        "sources": list(LeadSource.objects.order_by("pk").values_list("pk", flat=True)),
        "tags": list(Tag.objects.filter(children__isnull=True).order_by("pk").values_list("pk", flat=True)),
        "interest": INTEREST,
    }
    start = Lead.objects.filter(external_ref__startswith="bench-").count() + 1
    stop = start + missing - 1
    for chunk_start in range(start, stop + 1, CHUNK):
        chunk_stop = min(stop, chunk_start + CHUNK - 1)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_leads_sql(), {**params, "start": chunk_start, "stop": chunk_stop})
            cursor.execute(
                "SELECT min(id), max(id) FROM leads_lead WHERE external_ref IN (%s, %s)",
                [f"bench-{chunk_start:07d}", f"bench-{chunk_stop:07d}"],
            )
            first, last = cursor.fetchone()
            for sql in _CHILDREN_SQL:
                cursor.execute(sql, {**params, "first": first, "last": last})
        log(f"bench leads {chunk_start}..{chunk_stop}")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_ASSIGNMENTS_SQL, params)
        cursor.execute(_SCORES_SQL)
    with connection.cursor() as cursor:
        for table in ("leads_lead", "leads_contactpoint", "leads_lead_tags", "leads_leadevent"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("ANALYZE assignment_assignment")
        cursor.execute("ANALYZE qualification_leadscore")
    return missing
