"""The Yiyang (益阳) demonstration data set, as plain structures.

Nothing here touches the database: ``onestop.demo.loader`` reads these structures and
creates what is missing through the apps' services. County-level codes are the statutory
GB/T 2260 codes; township and village codes and names are illustrative (real-looking
names, codes built on the statutory county prefix), as are every person, phone number and
credit code — they are valid by their check digits but belong to nobody.
"""
