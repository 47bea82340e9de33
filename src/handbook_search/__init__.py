"""handbook-search: the 地域づくり支援ハンドブック as a searchable knowledge base."""

__version__ = "0.1.0"
