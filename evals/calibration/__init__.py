"""Decision calibration: stored calls joined with forward returns (``scoring``), the scores
themselves (``scores``), their result models (``models``) and the reports (``report``)."""
