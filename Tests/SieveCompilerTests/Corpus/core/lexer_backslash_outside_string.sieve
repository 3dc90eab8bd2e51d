keep; \
