"""Names moto's Organizations tests import; only its in-process tests (skipped in server mode)
use them."""


class FakeAccount: pass
class FakeOrganization: pass
class FakeOrganizationalUnit: pass
class FakePolicy: pass
class FakeRoot: pass
class OrganizationsBackend: pass
