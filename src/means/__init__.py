"""The means test (家庭经济状况核查): what a household has to live on, set against the
minimum living guarantee standard, under rules an administrator keeps per region and
date. One calculation (``means.calculation``) serves one household and 200,000 alike."""
