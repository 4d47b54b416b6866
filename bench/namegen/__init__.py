"""Building blocks of bench/gen_customers.py, split out so that module holds
only the seeded row stream and its CLI:

  tables   word and character pools, weights, the family mix (pure data)
  places   the gazetteer as the generator uses it (City, CITY_LIST, ...)
  trade    the pool of trade names (字号), filtered against the matcher's lexicon
  credit   unified social credit codes with correct check characters

The row stream's random generator lives in gen_customers._Gen; the only code
here that draws from it is make_credit_code (it is passed in), and the trade
pool is seeded on its own.  So the rows depend on these tables' contents and
order, not on which module holds them.
"""
