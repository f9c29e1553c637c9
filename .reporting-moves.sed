s/reporting\.projection import/reporting.projection.apply import/g
s/reporting\.projector import/reporting.projection.projector import/g
s/reporting\.generations import/reporting.projection.generations import/g
s/reporting\.rebuild import/reporting.projection.rebuild import/g
s/reporting\.progress import/reporting.projection.progress import/g
s/reporting\.event_log import/reporting.projection.event_log import/g
s/reporting\.consumers import/reporting.projection.consumers import/g
s/reporting\.member_ledger import/reporting.read_model.ledger import/g
s/reporting\.counting import/reporting.read_model.counting import/g
s/reporting\.figures import/reporting.read_model.figures import/g
s/reporting\.breakdowns import/reporting.read_model.breakdowns import/g
s/reporting\.targets import/reporting.read_model.targets import/g
s/reporting\.api import/reporting.api.figures import/g
s/reporting\.live import/reporting.api.live import/g
s/reporting\.dashboard import/reporting.api.dashboard import/g
s/reporting\.export import/reporting.api.exports import/g
s/reporting\.cache import/reporting.api.cache import/g
s/from reporting import counting$/from reporting.read_model import counting/g
s/"reporting\.rebuild:main"/"reporting.projection.rebuild:main"/g
s/-m reporting\.rebuild/-m reporting.projection.rebuild/g
s/reporting\.cache)/reporting.api.cache)/g
s/(reporting\.live)/(reporting.api.live)/g
s/`reporting\.projector`/`reporting.projection.projector`/g
s/`reporting\.figures\.targets_report/`reporting.read_model.figures.targets_report/g
s/`reporting\.breakdowns\.sector_breakdown/`reporting.read_model.breakdowns.sector_breakdown/g
s/reporting\.breakdowns\.sector_breakdown/reporting.read_model.breakdowns.sector_breakdown/g
s/"reporting\.member_ledger\./"reporting.read_model.ledger./g
s/"reporting\.rebuild"/"reporting.projection.rebuild"/g
