"""Media triage: digests, content sniffing, PDQ (images and video frames), EXIF, hash lists, matching.

Modules (imported on demand; faiss and PyAV are heavy, so nothing is imported here):

* ``digests``  - MD5/SHA-1/SHA-256 in one read (intake's custody hashing).
* ``sniff``    - MIME type from magic bytes.
* ``pdq``      - PDQ, ``exact`` and ``triage`` pipelines, dihedral variants, bomb limits.
* ``video``    - keyframe PDQ and vPDQ-style per-second frame PDQ (PyAV).
* ``exif``     - make, model, serials, capture time, GPS.
* ``triage``   - ``triage_file`` (the picklable unit of work) and ``hash_file`` (``tantalio hash``).
* ``hashlists``- VICS JSON, CSV and plain lists; category schemes; store-row helpers.
* ``index``    - faiss PDQ range search and its brute-force reference.
* ``match``    - exact and near matching, confirmation of triage candidates, item status.
"""
