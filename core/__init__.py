"""What every layer of SignalDesk may use: process settings (``core.settings``), logging
(``core.logs``), files written atomically (``core.files``) and stable text ids (``core.ids``).

``core`` imports nothing else of the product; it is the bottom layer.
"""
