"""Reference values for tests/analytics, each with its source.

Values here come from a document or a hand computation shown next to them, never from running
the code under test. Larger reference data sets live in JSON files beside this module
(``pymannkendall_rainfall.json``), each with a ``source`` field.
"""

from __future__ import annotations

# --- Erlang C --------------------------------------------------------------------------------
# Source: docs/metrics.md, "Queues and staffing", worked check: 100 contacts per 30 min,
# AHT 180 s, 80% answered in 20 s -> 14 agents (SL ~ 0.888), 20 rostered at 30% shrinkage.
ERLANG_WORKED_CHECK = {
    "arrivals_per_interval": 100.0,
    "interval_seconds": 1800.0,
    "aht_seconds": 180.0,
    "target_sl": 0.80,
    "answer_seconds": 20.0,
    "shrinkage": 0.30,
    "traffic": 10.0,  # 100 / 1800 s * 180 s
    "agents": 14,
    "service_level": 0.888,  # stated to 3 decimals -> tolerance 5e-4
    "rostered": 20,  # ceil(14 / 0.7)
}

# --- NPS, hand-computed ----------------------------------------------------------------------
# 50 promoters, 30 passives, 20 detractors (n = 100):
#   NPS = 100 * (0.50 - 0.20) = 30
#   Var = (0.50 + 0.20 - 0.30**2) / 100 = 0.61 / 100 = 0.0061
#   SE  = 100 * sqrt(0.0061) = 7.810249675906654
#   95% CI = 30 -/+ 1.959963984540054 * 7.810249675906654 = 30 -/+ 15.307808...
NPS_HAND = {
    "promoters": 50,
    "passives": 30,
    "detractors": 20,
    "value": 30.0,
    "std_error": 7.810249675906654,
    "ci_low": 30.0 - 1.959963984540054 * 7.810249675906654,
    "ci_high": 30.0 + 1.959963984540054 * 7.810249675906654,
}
# Raw answers [10, 9, 8, 7, 6, 0, 10, 10, 3, 9]: promoters {10, 9, 10, 10, 9} = 5,
# passives {8, 7} = 2, detractors {6, 0, 3} = 3 -> NPS = 100 * (5 - 3) / 10 = 20.
NPS_RAW = {
    "scores": [10, 9, 8, 7, 6, 0, 10, 10, 3, 9],
    "promoters": 5,
    "passives": 2,
    "detractors": 3,
    "value": 20.0,
}
# All detractors except one promoter, n = 4: p+ = 0.25, p- = 0.75, NPS = -50,
# Var = (1.0 - 0.25) / 4 = 0.1875, SE = 100 * sqrt(0.1875) = 43.30127018922193,
# CI = -50 -/+ 84.87... -> clipped to [-100, 34.8705...].
NPS_CLIPPED = {
    "promoters": 1,
    "passives": 0,
    "detractors": 3,
    "value": -50.0,
    "ci_low": -100.0,
    "ci_high": -50.0 + 1.959963984540054 * 43.30127018922193,
}

# --- Modified z-score, hand-computed (Iglewicz & Hoaglin 1993 formula) ------------------------
# x = [1, 2, 3, 4, 100]: median 3, |x - 3| = [2, 1, 0, 1, 97], MAD = 1,
# z = 0.6745 * (x - 3) / 1 = [-1.349, -0.6745, 0, 0.6745, 65.4265].
MODIFIED_Z_HAND = {
    "values": [1.0, 2.0, 3.0, 4.0, 100.0],
    "median": 3.0,
    "mad": 1.0,
    "z": [-1.349, -0.6745, 0.0, 0.6745, 65.4265],
}
# MAD = 0 (IBM convention): x = [5, 5, 5, 5, 5, 5, 9]: median 5, |x - 5| = [0]*6 + [4], MAD = 0,
# MeanAD = 4 / 7, z(9) = 4 / (1.253314 * 4 / 7) = 7 / 1.253314 = 5.585192...; others 0.
MODIFIED_Z_MEAN_AD = {
    "values": [5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 9.0],
    "mean_ad": 4.0 / 7.0,
    "z_last": 7.0 / 1.253314,
}

# --- CSAT, hand-computed ----------------------------------------------------------------------
# ratings [5, 4, 4, 3, 5, 1, 2, 5]: n = 8, sum = 29, mean = 3.625; 4-5 ratings = 5 -> 62.5%.
CSAT_HAND = {"ratings": [5, 4, 4, 3, 5, 1, 2, 5], "mean": 3.625, "satisfied": 5, "share": 0.625}
