"""Run by docker-compose.yml's one-off `kafka-tls` service, as root, before Kafka starts.

    python kafka-tls.py FOLDER PUBLIC_HOST

Makes (first start) or renews (near its end, or for another host name) the local CA and the
broker's certificate for the federation listener in FOLDER, with organising_shared's own code
(the one `make run` uses), then hands the broker's key to Kafka's user alone. The certificate names
PUBLIC_HOST (what federations connect to), `kafka` and localhost.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from organising_shared.devstack.tls import ensure_broker_tls

KAFKA_UID = 1000  # appuser, in the apache/kafka image (and the smoke check's)


def main() -> None:
    folder, public_host = Path(sys.argv[1]), sys.argv[2]
    hosts = tuple(dict.fromkeys((public_host, "kafka", "localhost", "127.0.0.1")))
    tls = ensure_broker_tls(folder, hosts=hosts)
    os.chown(tls.keystore_path, KAFKA_UID, KAFKA_UID)
    tls.ca_path.chmod(0o644)  # public: what the federations' clients trust
    print(f"federation listener certificate for {', '.join(hosts)}; CA certificate {tls.ca_path}")


if __name__ == "__main__":
    main()
